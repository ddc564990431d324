//! Integration tests of ai21-tape, one binary with a module per concern: the tape against
//! serde_json on chosen texts (`cases`) and on generated ones (`agree`).

mod agree;
mod cases;
mod support;
