//! One module per subcommand; each `run` returns the exit status, or the error that kept
//! it from running (exit 2).

pub mod generate_capture;
pub mod serve;
pub mod validate;
pub mod verify;
