//! `ai21-contract serve`: runs the mock AI21 API until interrupted.

use std::collections::BTreeSet;
use std::time::Duration;

use ai21_mock::{Config, Fault, Faults};
use anyhow::{Context, Result, bail};

use crate::cli::{EXIT_OK, ServeArgs};
use crate::output;

/// Serves the mock on `--addr` (loopback by default) until Ctrl-C, printing a line per
/// request that had findings.
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
    let (log, lines) = std::sync::mpsc::channel();
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
    };
    let printer = std::thread::spawn(move || {
        for line in lines {
            output::log(&line);
        }
    });
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("binding {}", args.addr))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        output::log(&format!(
            "serving the mock AI21 API on http://{addr} ({}; seed {}; {}); Ctrl-C stops it",
            if args.strict {
                "strict"
            } else {
                "lenient: unknown request fields are answered and reported"
            },
            args.seed,
            if args.fault_rate > 0.0 {
                format!("faults on {:.0}% of requests", args.fault_rate * 100.0)
            } else {
                "no faults".to_owned()
            }
        ));
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        ai21_mock::serve(listener, config, shutdown)
            .await
            .context("serving")
    })?;
    drop(runtime);
    let _ = printer.join();
    Ok(EXIT_OK)
}
