//! Integration tests of the mock: one binary, a module per concern.

mod eventstream;
mod faults;
mod pairing;
mod record;
mod routes;
mod support;
