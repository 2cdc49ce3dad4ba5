//! Compile tests of `#[derive(Tool)]`: what compiles, and the errors for what does not.

#[test]
fn derive_tool() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
