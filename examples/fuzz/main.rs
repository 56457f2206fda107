//! Fuzzes every parser of untrusted input and prints a Markdown table: inputs, panics, hangs
//! over 2 s, the slowest input, peak memory (growth during one input, and the largest resident
//! size) and the largest input.
//!
//!   cargo run --release --example fuzz -- [INPUTS_PER_PARSER] [SEED]
//!
//! Defaults: 2,000 inputs per parser, seed 1. Exit status 1 when any input panicked or hung;
//! the first panicking input of each parser is written to `fuzz-crash-<parser>.bin`.

mod driver;

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let inputs = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    // Panics are counted, not printed.
    std::panic::set_hook(Box::new(|_| {}));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut outcomes = Vec::new();
    for target in driver::targets(root) {
        let o = driver::fuzz(&target, inputs, seed);
        eprintln!(
            "{}: {} inputs, {} panics, {} hangs",
            o.name, o.inputs, o.panics, o.hangs
        );
        if let Some((msg, input)) = &o.first_panic {
            let file = format!("fuzz-crash-{}.bin", o.name.replace([' ', '/', '+'], "-"));
            let _ = std::fs::write(&file, input);
            eprintln!("  first panic: {msg} (input in {file})");
        }
        if o.hangs > 0 {
            let file = format!("fuzz-slow-{}.bin", o.name.replace([' ', '/', '+'], "-"));
            let _ = std::fs::write(&file, &o.slowest_input);
            eprintln!("  slowest input in {file}");
        }
        outcomes.push(o);
    }
    print!("{}", driver::table(&outcomes));
    if outcomes.iter().any(|o| o.panics > 0 || o.hangs > 0) {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
