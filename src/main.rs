//! The `elementdocs` binary: parse arguments, run, print diagnostics, exit.
//! Exit codes: 0 success, 1 the build (or check) found errors, 2 usage errors.

use clap::Parser;
use elementdocs::cli::{Cli, Command};
use elementdocs::diag::Diagnostic;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse(); // exits 2 on usage errors
    let (diags, ok) = match &cli.command {
        Command::Build(args) => args.run(),
        Command::Check(args) => args.run(),
        Command::New(args) => args.run(),
        Command::Serve(args) => args.run(),
    };
    report(&diags);
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Print every diagnostic, then a one-line count.
fn report(diags: &[Diagnostic]) {
    use std::io::Write;
    // Buffered: stderr is not, and a diagnostic is written in many pieces.
    let mut err = std::io::BufWriter::new(std::io::stderr().lock());
    for d in diags {
        let _ = writeln!(err, "{d}\n");
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if errors + warnings > 0 {
        let _ = writeln!(err, "{errors} error(s), {warnings} warning(s)");
    }
}
