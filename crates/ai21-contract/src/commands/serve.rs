//! `ai21-contract serve`: runs the mock AI21 API (Studio's paths and the partners':
//! Bedrock, Vertex, Azure) until interrupted, and with `--record` writes every exchange it
//! handles on an API path as a JSONL capture, a partner's with its `"dialect"`.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use ai21_mock::{Config, Fault, Faults, RecordedExchange};
use anyhow::{Context, Result, bail};

use crate::args::ServeArgs;
use crate::commands::EXIT_OK;
use crate::output;
use ai21_capture::{Body, Headers};

/// Serves the mock on `--addr` (loopback by default) until Ctrl-C, printing a line per
/// request that had findings, and recording every exchange with `--record`.
pub fn run(args: &ServeArgs) -> Result<u8> {
    let keys = match &args.key_env {
        None => None,
        Some(variable) => {
            let value = std::env::var(variable)
                .with_context(|| format!("reading the keys from ${variable}"))?;
            let keys: BTreeSet<String> = value
                .split(',')
                .map(str::trim)
                .filter(|key| !key.is_empty())
                .map(str::to_owned)
                .collect();
            if keys.is_empty() {
                bail!("${variable} holds no key");
            }
            Some(keys)
        }
    };
    if !(0.0..=1.0).contains(&args.fault_rate) {
        bail!(
            "--fault-rate must be between 0 and 1, not {}",
            args.fault_rate
        );
    }
    let kinds = args
        .faults
        .iter()
        .map(|name| {
            Fault::from_name(name).with_context(|| {
                format!("unknown fault {name:?}: expected 429, 500, 503, slow or cut")
            })
        })
        .collect::<Result<Vec<_>>>()?;
    // The recording is created (or truncated) before anything is served, so a path that
    // cannot be written stops the command at once.
    let recording = match &args.record {
        Some(path) => Some((
            File::create(path)
                .with_context(|| format!("creating the recording {}", path.display()))?,
            path.clone(),
        )),
        None => None,
    };
    let (log, lines) = std::sync::mpsc::channel();
    let (record, exchanges) = std::sync::mpsc::channel();
    let config = Config {
        seed: args.seed,
        keys,
        strict: args.strict,
        body_limit: args.body_limit,
        faults: Faults {
            rate: args.fault_rate,
            kinds: if kinds.is_empty() {
                Fault::ALL.to_vec()
            } else {
                kinds
            },
            slow_delay: Duration::from_millis(args.slow_ms),
        },
        log: Some(log),
        record: recording.is_some().then_some(record),
    };
    let printer = std::thread::spawn(move || {
        for line in lines {
            output::log(&line);
        }
    });
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let mut recorder = None;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("binding {}", args.addr))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        if let Some((file, path)) = recording {
            let base_url = format!("http://{addr}");
            recorder = Some(std::thread::spawn(move || {
                write_recording(file, &path, &base_url, &exchanges);
            }));
        }
        output::log(&format!(
            "serving the mock AI21 API on http://{addr} ({}; seed {}; {}{}); Ctrl-C stops it",
            if args.strict {
                "strict: every error is refused"
            } else {
                "lenient: errors the real server ignores are answered and reported"
            },
            args.seed,
            if args.fault_rate > 0.0 {
                format!("faults on {:.0}% of requests", args.fault_rate * 100.0)
            } else {
                "no faults".to_owned()
            },
            args.record
                .as_deref()
                .map(|path| format!("; recording to {}", path.display()))
                .unwrap_or_default(),
        ));
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        ai21_mock::serve(listener, config, shutdown)
            .await
            .context("serving")
    })?;
    // Dropping the runtime drops the mock's configuration, and with it the senders: the
    // printer and the recorder finish what they hold and stop.
    drop(runtime);
    let _ = printer.join();
    if let Some(recorder) = recorder {
        let _ = recorder.join();
    }
    Ok(EXIT_OK)
}

/// Writes each exchange as one line of the JSONL capture, flushed as it is written (the
/// file is unbuffered: one write per line). A write that fails is reported once, and
/// recording stops.
fn write_recording(
    mut file: File,
    path: &Path,
    base_url: &str,
    exchanges: &Receiver<RecordedExchange>,
) {
    for recorded in exchanges {
        let Some(exchange) = exchange(&recorded, base_url) else {
            continue;
        };
        let written = exchange
            .write_json_line(&mut file)
            .map_err(anyhow::Error::from)
            .and_then(|()| file.flush().map_err(anyhow::Error::from));
        if let Err(error) = written {
            output::log(&format!(
                "recording stopped: writing {}: {error:#}",
                path.display()
            ));
            return;
        }
    }
}

/// A recorded exchange as a capture exchange (which redacts its URL, headers and bodies);
/// `None` for a path that is not an API endpoint, which the mock does not record.
fn exchange(recorded: &RecordedExchange, base_url: &str) -> Option<ai21_capture::Exchange> {
    let request_headers: Headers = recorded.request_headers.iter().cloned().collect();
    // A contract runner marks the requests it means to be refused.
    let expect_refusal = request_headers
        .get(ai21_verify::EXPECT_HEADER)
        .is_some_and(|value| {
            value
                .trim()
                .eq_ignore_ascii_case(ai21_verify::EXPECT_REFUSAL)
        });
    let response_headers: Headers = recorded.response_headers.iter().cloned().collect();
    let request = ai21_capture::Request {
        body: Body::from_bytes(
            &recorded.request_body,
            request_headers.content_type(),
            false,
        ),
        headers: request_headers,
    };
    let response = ai21_capture::Response {
        status: recorded.status,
        body: Body::from_bytes(
            &recorded.response_body,
            response_headers.content_type(),
            true,
        ),
        headers: response_headers,
    };
    let url = format!("{base_url}{}", recorded.path_and_query);
    // The route's dialect, written in the record: the mock's host is no platform's, and
    // Azure's OpenAI-style paths are Azure's only by the route the mock served them on.
    let mut exchange =
        ai21_capture::Exchange::new_in(Some(recorded.dialect), &url, request, response).ok()?;
    exchange.method.clone_from(&recorded.method);
    exchange.expect_refusal = expect_refusal;
    Some(exchange)
}
