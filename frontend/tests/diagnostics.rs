//! Bad programs: each test asserts the message and position (line:col) of the errors the
//! frontend reports, and the hint where the hint is the point.

use strata_frontend::{check_source, compile_bytes, compile_source, Diagnostic};

/// All diagnostics for `src`, which must fail to compile.
fn errors(src: &str) -> Vec<Diagnostic> {
    match compile_source("bad.sk", src) {
        Ok(_) => panic!("expected errors for:\n{src}"),
        Err(d) => {
            // Rendering must work for every diagnostic the frontend produces.
            let rendered = d.render("bad.sk", src, false);
            assert!(rendered.contains("bad.sk"), "{rendered}");
            assert_eq!(check_source("bad.sk", src).unwrap_err(), d, "check and compile agree");
            d.into_iter().collect()
        }
    }
}

/// The start of a source, for assertion messages.
fn short(src: &str) -> &str {
    &src[..src.len().min(300)]
}

/// Asserts that the only error is `msg` at `line:col`, and returns it.
#[track_caller]
fn only(src: &str, line: usize, col: usize, msg: &str) -> Diagnostic {
    let errs = errors(src);
    let got: Vec<_> = errs.iter().map(|d| format!("{}:{}: {}", d.line, d.col, d.message)).collect();
    assert_eq!(got, vec![format!("{line}:{col}: {msg}")], "for:\n{}", short(src));
    errs.into_iter().next().unwrap()
}

#[track_caller]
fn only_with_hint(src: &str, line: usize, col: usize, msg: &str, hint: &str) {
    let d = only(src, line, col, msg);
    assert_eq!(d.hint.as_deref(), Some(hint), "hint for:\n{src}");
}

/// Asserts the full list of `(line, col, message)`.
#[track_caller]
fn all(src: &str, want: &[(usize, usize, &str)]) {
    let got: Vec<_> = errors(src).iter().map(|d| (d.line, d.col, d.message.clone())).collect();
    let want: Vec<_> = want.iter().map(|&(l, c, m)| (l, c, m.to_string())).collect();
    assert_eq!(got, want, "for:\n{src}");
}

// ---- lexing ----------------------------------------------------------------------------

#[test]
fn bad_character() {
    only("fn f() {\n    let a = $;\n}", 2, 13, "unexpected character `$`");
}

#[test]
fn tilde_suggests_bang() {
    only_with_hint(
        "fn f(x: i32) -> i32 { return ~x; }",
        1,
        30,
        "unexpected character `~`",
        "bitwise not is written `!x`",
    );
}

#[test]
fn non_ascii_identifier() {
    only_with_hint(
        "fn f() { let é = 1; }",
        1,
        14,
        "unexpected character `é`",
        "identifiers are made of ASCII letters, digits and `_`",
    );
}

#[test]
fn string_literal() {
    only("fn f() {\n  let s = \"hello\";\n}", 2, 11, "string literals are not supported");
}

#[test]
fn unterminated_block_comment() {
    only("fn f() {}\n/* a /* nested */ comment\nfn g() {}", 2, 1, "unterminated block comment");
}

#[test]
fn missing_hex_digits() {
    only("fn f() -> i32 { return 0x; }", 1, 24, "missing digits after `0x`");
}

#[test]
fn missing_exponent_digits() {
    only("fn f() -> f64 { return 1e+; }", 1, 24, "missing digits in the exponent of a float literal");
}

#[test]
fn invalid_number_suffix() {
    only_with_hint(
        "fn f() -> i32 { return 12abc; }",
        1,
        26,
        "invalid suffix `abc` on number literal",
        "the suffixes are `i32`, `i64`, `f32` and `f64`",
    );
}

#[test]
fn invalid_binary_digit() {
    only("fn f() -> i32 { return 0b102; }", 1, 28, "invalid digit `2` in binary literal");
}

#[test]
fn integer_literal_too_large() {
    only("fn f() -> i64 { return 99999999999999999999; }", 1, 24, "integer literal is too large");
}

#[test]
fn float_with_integer_suffix() {
    only("fn f() -> i32 { return 1.5i32; }", 1, 24, "float literal with integer suffix `i32`");
}

#[test]
fn several_lexical_errors() {
    all(
        "fn f() {\n  let a = 0x;\n  let b = 1e;\n  let c = 3 @ 4;\n}",
        &[
            (2, 11, "missing digits after `0x`"),
            (3, 11, "missing digits in the exponent of a float literal"),
            (4, 13, "unexpected character `@`"),
        ],
    );
}

#[test]
fn invalid_utf8_is_a_diagnostic() {
    let err = compile_bytes("bin.sk", b"fn f() {}\nfn g() { \xff }").unwrap_err();
    let d = &err.as_slice()[0];
    assert_eq!((d.line, d.col, d.span.clone()), (2, 10, 19..20));
    assert_eq!(d.message, "source is not valid UTF-8 (byte 0xff at offset 19)");
    assert_eq!(
        err.to_string().lines().next().unwrap(),
        "bin.sk:2:10: error: source is not valid UTF-8 (byte 0xff at offset 19)"
    );
}

// ---- parsing -----------------------------------------------------------------------------

#[test]
fn missing_semicolons_recover() {
    all(
        "fn f() {\n    let a = 1\n    let b = 2\n    let c = a + b;\n}",
        &[
            (2, 14, "expected `;` after `let`, found keyword `let`"),
            (3, 14, "expected `;` after `let`, found keyword `let`"),
        ],
    );
}

#[test]
fn missing_semicolon_mid_line() {
    only("fn f() { let x = 1 let y = 2; }", 1, 19, "expected `;` after `let`, found keyword `let`");
}

#[test]
fn missing_expression() {
    only("fn f() {\n    let x = 1 +;\n}", 2, 16, "expected expression, found `;`");
}

#[test]
fn unclosed_paren() {
    only("fn f() { let x = (1 + 2; }", 1, 24, "expected `)`, found `;`");
}

#[test]
fn unclosed_block_at_eof() {
    let errs = errors("export fn f() {\n    let x = 1;\n");
    assert_eq!((errs[0].line, errs[0].col, errs[0].message.as_str()), (3, 1, "expected `}`, found end of file"));
    assert_eq!(errs[0].labels[0].message, "this block is not closed");
    assert_eq!((errs[0].labels[0].line, errs[0].labels[0].col), (1, 15));
}

#[test]
fn bad_parameter_list_recovers_at_next_item() {
    all(
        "fn f( { }\nfn g() -> i32 { return 1 }\nfn h(x i32) {}",
        &[(1, 7, "expected a parameter name, found `{`"), (3, 8, "expected `:`, found identifier `i32`")],
    );
}

#[test]
fn keyword_as_name() {
    only_with_hint(
        "fn let() {}",
        1,
        4,
        "expected a function name, found keyword `let`",
        "`let` is a reserved word and cannot be used as a name",
    );
}

#[test]
fn chained_comparison() {
    only_with_hint(
        "fn f(a: i32) -> bool { return 1 < a < 3; }",
        1,
        37,
        "comparison operators cannot be chained",
        "split the comparison with `&&`, as in `a < b && b < c`",
    );
}

#[test]
fn let_without_initializer() {
    only("fn f() {\n    let x;\n}", 2, 10, "`let x` needs an initial value");
}

#[test]
fn if_is_not_an_expression() {
    only("fn f() { let a = if true { 1 } else { 2 }; }", 1, 18, "expected expression, found keyword `if`");
}

#[test]
fn else_without_if() {
    only("fn f() { else { } }", 1, 10, "`else` without a preceding `if`");
}

#[test]
fn mut_scalar_type() {
    only("fn f(x: mut f32) {}", 1, 9, "`mut` in a type must be followed by a slice type");
}

#[test]
fn unknown_type() {
    only_with_hint(
        "fn f(x: u8) {}",
        1,
        9,
        "unknown type `u8`",
        "there are no unsigned types; use i32 or i64 (`>>>` shifts in zeros)",
    );
}

#[test]
fn unknown_attribute() {
    only_with_hint("#[inline]\nfn f() {}", 1, 3, "unknown attribute `inline`", "the only attribute is `#[fastmath]`");
}

#[test]
fn extern_with_body() {
    only("extern fn h(x: f32) -> f32 { return x; }", 1, 28, "an `extern fn` has no body");
}

#[test]
fn item_expected() {
    only("let x = 1;\nfn f() {}", 1, 1, "expected an item (`fn`, `export fn` or `extern fn`), found keyword `let`");
}

#[test]
fn range_outside_for() {
    only("fn f() { let r = ..; }", 1, 18, "expected expression, found `..`");
}

#[test]
fn for_without_range() {
    only("fn f(n: i64) { for i in n { } }", 1, 27, "expected `..`, found `{`");
}

#[test]
fn deep_nesting_is_reported_not_overflowed() {
    let src = format!("fn f() -> i64 {{ return {}1{}; }}", "(".repeat(5000), ")".repeat(5000));
    only(&src, 1, 279, "nesting too deep (more than 256 levels)");
    let src = format!("fn f() {{ {} }}", "{".repeat(3000));
    let errs = errors(&src);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].message, "nesting too deep (more than 256 levels)");
    let src = format!("fn f(x: i64) -> i64 {{ return x{}; }}", " - x".repeat(20000));
    only(&src, 1, 1046, "nesting too deep (more than 256 levels)");
    let src = format!("fn f(x: i64) -> i64 {{ return {}x; }}", "-".repeat(20000));
    only(&src, 1, 285, "nesting too deep (more than 256 levels)");
}

#[test]
fn nesting_just_under_the_limit_compiles() {
    // Deep but legal programs go through every phase (checker and lowering recurse too).
    let src = format!("fn f(x: i64) -> i64 {{ return {}x{}; }}", "(".repeat(250), ")".repeat(250));
    compile_source("deep.sk", &src).unwrap();
    let src = format!("fn f(x: i64) -> i64 {{ return {}x; }}", "-".repeat(250));
    compile_source("deep.sk", &src).unwrap();
    let src = format!("fn f(x: i64) -> i64 {{ return x{}; }}", " + x".repeat(250));
    compile_source("deep.sk", &src).unwrap();
    let src = format!("fn f(x: i64) {{ {} }}", "if x > 0 {".repeat(120) + &"}".repeat(120));
    compile_source("deep.sk", &src).unwrap();
    let src = format!("fn f(x: i64) {{ {} }}", "{".repeat(250) + &"}".repeat(250));
    compile_source("deep.sk", &src).unwrap();
}

// ---- names -------------------------------------------------------------------------------

#[test]
fn undefined_variable_with_suggestion() {
    only_with_hint(
        "fn f(x: i32) -> i32 {\n    let value = 1;\n    return valeu;\n}",
        3,
        12,
        "cannot find value `valeu` in this scope",
        "a variable with a similar name exists: `value`",
    );
}

#[test]
fn variable_out_of_scope() {
    only(
        "fn f() -> i64 {\n    { let inner = 1; }\n    return inner;\n}",
        3,
        12,
        "cannot find value `inner` in this scope",
    );
}

#[test]
fn undefined_function_with_suggestion() {
    only_with_hint(
        "fn dot(a: i32) -> i32 { return a; }\nfn f() -> i32 { return dott(1); }",
        2,
        24,
        "cannot find function `dott`",
        "a function with a similar name exists: `dot`",
    );
}

#[test]
fn duplicate_function() {
    let errs = errors("fn f() {}\nfn g() {}\nexport fn f() {}");
    assert_eq!((errs.len(), errs[0].line, errs[0].col), (1, 3, 11));
    assert_eq!(errs[0].message, "the function `f` is defined more than once");
    assert_eq!(errs[0].labels[0].message, "first defined here");
    assert_eq!(errs[0].labels[0].line, 1);
}

#[test]
fn intrinsic_cannot_be_redefined() {
    only("fn sqrt(x: f32) -> f32 { return x; }", 1, 4, "`sqrt` is a built-in function and cannot be redefined");
}

#[test]
fn duplicate_parameter() {
    only("fn f(x: i32, x: i32) {}", 1, 14, "parameter `x` is declared more than once");
}

#[test]
fn function_used_as_value() {
    only("fn f() -> f32 { return g; }\nfn g() -> f32 { return 1.0; }", 1, 24, "`g` is a function, not a value");
}

#[test]
fn variable_called_as_function() {
    only("fn f(x: i32) -> i32 { return x(); }", 1, 30, "`x` is a variable, not a function");
}

#[test]
fn unknown_method() {
    only("fn f(a: [f32]) -> i64 { return a.size(); }", 1, 34, "no method named `size`");
}

// ---- types -------------------------------------------------------------------------------

#[test]
fn mismatch_names_both_types() {
    only_with_hint(
        "fn f(x: i32, y: f32) -> f32 {\n    return x + y;\n}",
        2,
        16,
        "mismatched types: expected i32, found f32",
        "numbers are not converted implicitly; convert with `as i32`",
    );
}

#[test]
fn integer_literal_is_not_a_float() {
    only_with_hint(
        "fn f() -> f32 { return 1; }",
        1,
        24,
        "mismatched types: expected f32, found {integer}",
        "an integer literal is not a float; write `1.0`",
    );
}

#[test]
fn float_literal_is_not_an_integer() {
    only("fn f(x: i64) -> i64 { return x * 0.5; }", 1, 34, "mismatched types: expected i64, found {float}");
}

#[test]
fn inferred_literal_conflict() {
    // `acc` becomes f32 from the first use; the later i64 use is the mismatch.
    only(
        "fn f(x: [f32], n: i64) -> f32 {\n    let mut acc = 0.0;\n    acc += x[0];\n    acc += n;\n    return acc;\n}",
        4,
        12,
        "mismatched types: expected f32, found i64",
    );
}

#[test]
fn if_condition_not_bool() {
    only_with_hint(
        "fn f(x: i32) -> i32 {\n    if x { return 1; }\n    return 0;\n}",
        2,
        8,
        "`if` condition must be bool, found i32",
        "numbers are not truth values; compare explicitly, as in `x != 0`",
    );
}

#[test]
fn while_condition_not_bool() {
    only("fn f() { while 1 { } }", 1, 16, "`while` condition must be bool, found {integer}");
}

#[test]
fn logic_operands_not_bool() {
    only("fn f(a: i32) -> bool { return a && true; }", 1, 31, "`&&` needs bool operands, found i32");
}

#[test]
fn wrong_argument_count() {
    let d = only(
        "fn f(x: i32) -> i32 { return g(x, 1); }\nfn g(a: i32) -> i32 { return a; }",
        1,
        30,
        "`g` takes 1 argument but 2 were given",
    );
    assert_eq!((d.labels[0].line, d.labels[0].message.as_str()), (2, "defined here"));
}

#[test]
fn wrong_intrinsic_argument_count() {
    only("fn f(x: f32) -> f32 { return clamp(x, 0.0); }", 1, 30, "`clamp` takes 3 arguments but 2 were given");
}

#[test]
fn wrong_argument_type() {
    only(
        "fn g(a: f32, n: i64) -> f32 { return a; }\nfn f(x: f64) -> f32 { return g(1.0, x); }",
        2,
        37,
        "mismatched types: expected i64, found f64",
    );
}

#[test]
fn slice_element_type_mismatch() {
    only(
        "fn g(a: [f32]) -> f32 { return a[0]; }\nfn f(x: [f64]) -> f32 { return g(x); }",
        2,
        34,
        "mismatched types: expected [f32], found [f64]",
    );
}

#[test]
fn intrinsic_needs_float() {
    only_with_hint(
        "fn f() -> f32 { return sqrt(2); }",
        1,
        29,
        "`sqrt` expects a float (f32 or f64), found {integer}",
        "an integer literal is not a float; write it with a `.0`",
    );
}

#[test]
fn intrinsic_arguments_agree() {
    only("fn f(x: f32, y: f64) -> f32 { return min(x, y); }", 1, 45, "mismatched types: expected f32, found f64");
}

#[test]
fn float_remainder() {
    only("fn f(x: f32) -> f32 { return x % 2.0; }", 1, 30, "`%` cannot be applied to f32");
}

#[test]
fn bool_arithmetic() {
    only("fn f() { let x = true + 1; }", 1, 18, "`+` cannot be applied to bool");
}

#[test]
fn shift_by_float() {
    only("fn f(x: i32) -> i32 { return x << 2.0; }", 1, 35, "`<<` needs integer operands, found {float}");
}

#[test]
fn cast_to_bool() {
    only_with_hint(
        "fn f(x: i32) { let y = x as bool; }",
        1,
        24,
        "cannot cast i32 as bool",
        "compare instead, as in `x != 0`",
    );
}

#[test]
fn float_index() {
    only("fn f(a: [f32], i: f32) -> f32 { return a[i]; }", 1, 42, "slice index must be an integer, found f32");
}

#[test]
fn index_non_slice() {
    only("fn f(x: f32) -> f32 { return x[0]; }", 1, 30, "cannot index into a value of type f32");
}

#[test]
fn len_of_scalar() {
    only("fn f(x: f32) -> i64 { return x.len(); }", 1, 32, "`len` is a method of slices, not of f32");
}

#[test]
fn for_bounds_must_be_i64() {
    only_with_hint(
        "fn f(n: i32) {\n    for i in 0..n { }\n}",
        2,
        17,
        "`for` range bounds must be i64, found i32",
        "convert with `as i64`",
    );
}

#[test]
fn literal_out_of_range() {
    only_with_hint(
        "fn f() -> i32 { let x: i32 = 3000000000; return x; }",
        1,
        30,
        "literal `3000000000` is out of range for i32",
        "i32 holds -2147483648 to 2147483647; for a 32-bit pattern write it in hex: `0xb2d05e00`",
    );
}

#[test]
fn negated_min_literal_is_in_range() {
    assert!(compile_source("t.sk", "fn f() -> i32 { return -2147483648; }").is_ok());
    assert!(compile_source("t.sk", "fn f() -> i32 { return 0xffffffff; }").is_ok());
    only("fn f() -> i32 { return 2147483648; }", 1, 24, "literal `2147483648` is out of range for i32");
}

#[test]
fn float_literal_out_of_range() {
    only("fn f() -> f32 { return 1e39; }", 1, 24, "float literal out of range for f32");
}

#[test]
fn slices_are_not_values() {
    only("fn f(a: [f32]) { let b = a; }", 1, 26, "variables cannot hold slices");
}

#[test]
fn slice_return_type() {
    only("fn f(a: [f32]) -> [f32] { return a; }", 1, 19, "functions cannot return slices");
}

#[test]
fn bool_slice() {
    only("fn f(x: [bool]) {}", 1, 9, "slices of `bool` are not supported");
}

#[test]
fn extern_slice_parameter() {
    only("extern fn h(x: [f32]) -> f32;", 1, 16, "host functions take scalar parameters only");
}

#[test]
fn unit_value_bound() {
    only("fn g() {}\nfn f() { let x = g(); }", 2, 18, "cannot bind `x` to a call that returns no value");
}

#[test]
fn unused_block_value() {
    only("fn f() { if true { 1.0 } }", 1, 20, "unused value of type {float} at the end of a block");
}

#[test]
fn tail_value_without_return_type() {
    only(
        "fn f(x: f32) { x * 2.0 }",
        1,
        16,
        "function `f` has no return type, but its body ends in a value of type f32",
    );
}

// ---- mutability ----------------------------------------------------------------------------

#[test]
fn assign_to_immutable_let() {
    let d = only("fn f() {\n    let x = 1;\n    x += 1;\n}", 3, 5, "cannot assign to `x`: it is not mutable");
    assert_eq!(d.hint.as_deref(), Some("`x` is not mutable; declare it with `let mut`"));
    assert_eq!((d.labels[0].line, d.labels[0].col, d.labels[0].message.as_str()), (2, 9, "declared here"));
}

#[test]
fn assign_to_read_only_slice() {
    only_with_hint(
        "export fn f(frame: [f32]) {\n    frame[0] = 1.0;\n}",
        2,
        5,
        "cannot assign to `frame`: it is `[f32]`, not `mut [f32]`",
        "declare the parameter as `frame: mut [f32]`",
    );
}

#[test]
fn compound_assign_to_read_only_slice() {
    only("fn f(x: [i32]) { x[1] += 2; }", 1, 18, "cannot assign to `x`: it is `[i32]`, not `mut [i32]`");
}

#[test]
fn assign_to_parameter() {
    only_with_hint(
        "fn f(g: f32) { g = 1.0; }",
        1,
        16,
        "cannot assign to parameter `g`: it is not mutable",
        "`g` is not mutable; declare the parameter as `mut g`",
    );
}

#[test]
fn assign_to_loop_variable() {
    only_with_hint(
        "fn f(n: i64) {\n    for i in 0..n { i = 2; }\n}",
        2,
        21,
        "cannot assign to `i`: it is a `for` loop variable",
        "loop variables are immutable; copy it first: `let mut j = i;`",
    );
}

#[test]
fn reassign_slice() {
    only("fn f(a: [f32], b: [f32]) { a = b; }", 1, 28, "cannot assign to `a`: slices cannot be reassigned");
}

#[test]
fn pass_read_only_as_mut() {
    only(
        "fn g(a: mut [f32]) {}\nfn f(a: [f32]) { g(a); }",
        2,
        20,
        "cannot pass `a` as `mut [f32]` (parameter `a`): it is `[f32]`",
    );
}

#[test]
fn mutable_slice_aliasing() {
    only(
        "fn g(a: mut [f32], b: [f32]) {}\nfn f(a: mut [f32]) { g(a, a); }",
        2,
        27,
        "`a` is passed twice to `g`, and one of them as a `mut` slice",
    );
}

#[test]
fn invalid_assignment_target() {
    only("fn f() { 1 = 2; }", 1, 10, "invalid left-hand side of assignment");
}

// ---- control flow --------------------------------------------------------------------------

#[test]
fn break_outside_loop() {
    only("fn f() {\n    break;\n}", 2, 5, "`break` outside of a loop");
}

#[test]
fn continue_outside_loop() {
    only("fn f() { if true { continue; } }", 1, 20, "`continue` outside of a loop");
}

#[test]
fn missing_return() {
    let d = only(
        "fn f(x: i32) -> i32 {\n    if x > 0 { return 1; }\n}",
        3,
        1,
        "missing `return` in function `f`, which returns i32",
    );
    assert_eq!(d.labels[0].message, "declared to return i32");
}

#[test]
fn while_true_does_not_count_as_returning() {
    only("fn f() -> i32 { while true { return 1; } }", 1, 42, "missing `return` in function `f`, which returns i32");
}

#[test]
fn return_without_value() {
    only("fn f() -> i32 { return; }", 1, 17, "`return` needs a value: function `f` returns i32");
}

#[test]
fn return_value_from_void_function() {
    only("fn f() { return 1; }", 1, 17, "function `f` has no return type, but `return` gives it a value");
}

// ---- several errors per file ----------------------------------------------------------------

#[test]
fn several_errors_across_functions() {
    all(
        "fn a(x: [f32]) {\n    x[0] = 1.0;\n}\nfn b() -> f32 {\n    return 1;\n}\nfn c() {\n    break;\n}\nfn d(n: i64) {\n    let k = n;\n    k = 2;\n}",
        &[
            (2, 5, "cannot assign to `x`: it is `[f32]`, not `mut [f32]`"),
            (5, 12, "mismatched types: expected f32, found {integer}"),
            (8, 5, "`break` outside of a loop"),
            (12, 5, "cannot assign to `k`: it is not mutable"),
        ],
    );
}

#[test]
fn syntax_error_in_one_function_does_not_hide_type_errors_in_others() {
    all(
        "fn a() { let x = ; }\nfn b() -> i32 { return 1.5; }",
        &[(1, 18, "expected expression, found `;`"), (2, 24, "mismatched types: expected i32, found {float}")],
    );
}

#[test]
fn display_and_render_formats() {
    let src = "export fn f(frame: [f32]) {\n    frame[0] = 1.0;\n}\n";
    let err = compile_source("k.sk", src).unwrap_err();
    assert_eq!(
        err.to_string(),
        "k.sk:2:5: error: cannot assign to `frame`: it is `[f32]`, not `mut [f32]`\n  hint: declare the parameter as `frame: mut [f32]`\n"
    );
    let r = err.render("k.sk", src, false);
    assert!(r.contains("k.sk:2:5"), "{r}");
    assert!(r.contains("frame[0] = 1.0;"), "{r}");
    assert!(r.contains('┬') || r.contains('^'), "a caret under the span: {r}");
    assert!(r.contains("declare the parameter as `frame: mut [f32]`"), "{r}");
    let colored = err.render("k.sk", src, true);
    assert!(colored.contains('\u{1b}'), "color codes when asked");
}
