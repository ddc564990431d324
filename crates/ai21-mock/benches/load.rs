//! Load benchmark of the mock over loopback: `cargo bench -p ai21-mock --bench load`.
//!
//! For each scenario, a fixed number of concurrent clients send requests for a fixed time
//! (both bounded, loopback only), and the run reports requests per second, p50/p99
//! latency, how many answers were not 2xx, and the process's resident memory sampled
//! every second (after the first second of warm-up, at the end, and the peak), to show it
//! stays flat. Clients and server share
//! the process, so the memory figures are an upper bound for the server.
//! `LOAD_SECONDS` and `LOAD_CLIENTS` override the defaults (10 s, 16 clients).

#![allow(
    clippy::print_stdout,
    reason = "a benchmark reports on standard output"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Scenario {
    name: &'static str,
    path: &'static str,
    body: Value,
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "small chat request",
            path: "/studio/v1/chat/completions",
            body: json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Tell me something I don't know"}], "max_tokens": 64}),
        },
        Scenario {
            name: "J2, maxTokens 2048, numResults 2",
            path: "/studio/v1/j2-ultra/complete",
            body: json!({"prompt": "List down 3 actionable steps to improve customer retention in my online tour agency.", "maxTokens": 2048, "numResults": 2, "temperature": 0.7}),
        },
    ]
}

/// The resident and peak resident memory of this process, in KiB (Linux).
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|number| number.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn percentile(sorted: &[Duration], share: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a short list"
    )]
    let index = ((sorted.len() - 1) as f64 * share).round() as usize;
    sorted[index]
}

fn main() {
    let seconds: u64 = std::env::var("LOAD_SECONDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(10);
    let clients: usize = std::env::var("LOAD_CLIENTS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(16);
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    runtime.block_on(async {
        let mock = ai21_mock::RunningMock::start("127.0.0.1:0".parse().expect("an address"), ai21_mock::Config::default())
            .await
            .expect("binds loopback");
        let base_url = mock.base_url();
        println!("mock at {base_url}; {clients} clients, {seconds} s per scenario");
        for scenario in scenarios() {
            // The workspace's reqwest has rustls without a provider of its own.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let client = reqwest::Client::builder().pool_max_idle_per_host(clients).build().expect("a client");
            let body = Arc::new(scenario.body.to_string());
            let url = Arc::new(format!("{base_url}{}", scenario.path));
            let stop = Arc::new(AtomicBool::new(false));
            let mut samples = vec![memory().0];
            let started = Instant::now();
            let workers: Vec<_> = (0..clients)
                .map(|_| {
                    let (client, body, url, stop) = (client.clone(), body.clone(), url.clone(), stop.clone());
                    tokio::spawn(async move {
                        let mut latencies = Vec::new();
                        let mut failures = 0u64;
                        while !stop.load(Ordering::Relaxed) {
                            let sent = Instant::now();
                            let answer = client.post(url.as_str()).bearer_auth("load-test").header("content-type", "application/json").body(body.to_string()).send().await;
                            let ok = match answer {
                                Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                                Err(_) => false,
                            };
                            latencies.push(sent.elapsed());
                            if !ok {
                                failures += 1;
                            }
                        }
                        (latencies, failures)
                    })
                })
                .collect();
            for _ in 0..seconds {
                tokio::time::sleep(Duration::from_secs(1)).await;
                samples.push(memory().0);
            }
            stop.store(true, Ordering::Relaxed);
            let mut latencies = Vec::new();
            let mut failures = 0;
            for worker in workers {
                let (mut worker_latencies, worker_failures) = worker.await.expect("a worker finishes");
                latencies.append(&mut worker_latencies);
                failures += worker_failures;
            }
            let elapsed = started.elapsed().as_secs_f64();
            latencies.sort();
            #[allow(clippy::cast_precision_loss, reason = "a request count")]
            let rate = latencies.len() as f64 / elapsed;
            let (_, peak) = memory();
            println!(
                "{:<34} {:>8.0} requests/s  p50 {:>7.2} ms  p99 {:>7.2} ms  non-2xx {} of {}  RSS after 1 s {} MiB, at the end {} MiB, peak {} MiB",
                scenario.name,
                rate,
                percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
                percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
                failures,
                latencies.len(),
                samples.get(1).copied().unwrap_or(0) / 1024,
                samples.last().copied().unwrap_or(0) / 1024,
                peak / 1024,
            );
            assert_eq!(failures, 0, "{}: every valid request gets a 2xx", scenario.name);
        }
        mock.stop().await.expect("stops");
    });
}
