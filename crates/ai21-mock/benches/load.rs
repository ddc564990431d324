//! Load benchmark of the mock over loopback: `cargo bench -p ai21-mock --bench load`.
//!
//! `LOAD_CLIENTS` concurrent clients (default 64, one HTTP/1.1 connection each) send
//! valid requests for `LOAD_SECONDS` (default 30; both bounded, loopback only), each
//! client cycling through a J2 completion, a Jamba chat completion and a streamed Jamba
//! chat completion (read to its `data: [DONE]`). Meanwhile two more clients send, each
//! every 10 ms, malformed requests (broken JSON, no key, a contract error, an integer with a fraction,
//! a J2 request over the work limit, a wrong method), every one of which must get a 4xx.
//!
//! It reports requests per second, p50/p99 latency per kind, the statuses of the
//! malformed requests, and the process's resident memory sampled every second (clients
//! and server share the process, so it is an upper bound for the server). It fails when a
//! valid request gets anything but a complete 2xx answer (a 5xx above all), when a
//! malformed one gets anything but a 4xx, and when the resident memory grows by more than
//! [`MEMORY_GROWTH_LIMIT_MIB`] between the fifth second and the end.

#![allow(
    clippy::print_stdout,
    reason = "a benchmark reports on standard output"
)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

/// How much the resident memory may grow from the fifth second to the end, in MiB.
const MEMORY_GROWTH_LIMIT_MIB: u64 = 64;

/// Clients sending malformed requests during the load.
const MALFORMED_CLIENTS: usize = 2;

/// How often each of them sends one (so about 200 malformed requests a second in all).
const MALFORMED_INTERVAL: Duration = Duration::from_millis(10);

/// A valid request of the mix.
struct Valid {
    name: &'static str,
    path: &'static str,
    body: String,
    streamed: bool,
}

fn valid_requests() -> Vec<Valid> {
    vec![
        Valid {
            name: "J2 complete",
            path: "/studio/v1/j2-ultra/complete",
            body: json!({"prompt": "List down 3 actionable steps to improve customer retention in my online tour agency.", "maxTokens": 256, "numResults": 2, "topKReturn": 2, "temperature": 0.7}).to_string(),
            streamed: false,
        },
        Valid {
            name: "Jamba chat",
            path: "/studio/v1/chat/completions",
            body: json!({"model": "jamba-mini", "messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Tell me something I don't know"}], "max_tokens": 64, "n": 2, "temperature": 0.5}).to_string(),
            streamed: false,
        },
        Valid {
            name: "Jamba chat, streamed",
            path: "/studio/v1/chat/completions",
            body: json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Tell me something I don't know"}], "max_tokens": 64, "stream": true}).to_string(),
            streamed: true,
        },
    ]
}

/// A malformed request: method, path, whether it carries a key, body.
struct Malformed {
    name: &'static str,
    method: reqwest::Method,
    path: &'static str,
    keyed: bool,
    body: String,
}

fn malformed_requests() -> Vec<Malformed> {
    let chat = "/studio/v1/chat/completions";
    let j2 = "/studio/v1/j2-mid/complete";
    vec![
        Malformed {
            name: "broken JSON",
            method: reqwest::Method::POST,
            path: chat,
            keyed: true,
            body: "{\"model\": ".to_owned(),
        },
        Malformed {
            name: "no key",
            method: reqwest::Method::POST,
            path: chat,
            keyed: false,
            body: json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}]})
                .to_string(),
        },
        Malformed {
            name: "no messages",
            method: reqwest::Method::POST,
            path: chat,
            keyed: true,
            body: json!({"model": "jamba-mini", "messages": []}).to_string(),
        },
        Malformed {
            name: "maxTokens 30.5",
            method: reqwest::Method::POST,
            path: j2,
            keyed: true,
            body: json!({"prompt": "x", "maxTokens": 30.5}).to_string(),
        },
        Malformed {
            name: "over the work limit",
            method: reqwest::Method::POST,
            path: j2,
            keyed: true,
            body: json!({"prompt": "x", "numResults": 16, "maxTokens": 8191, "topKReturn": 10})
                .to_string(),
        },
        Malformed {
            name: "GET",
            method: reqwest::Method::GET,
            path: chat,
            keyed: true,
            body: String::new(),
        },
    ]
}

/// The resident and peak resident memory of this process, in KiB (Linux).
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_else(|error| {
        panic!("the load test samples memory in /proc/self/status, which cannot be read: {error}")
    });
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|number| number.parse().ok())
            .unwrap_or_else(|| panic!("no {name} line in /proc/self/status"))
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

fn milliseconds(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// What one client saw of one kind of valid request.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    server_errors: u64,
    /// Other failures: a status that is not 2xx or 5xx, a transport error, an incomplete
    /// body or stream.
    other_failures: u64,
    first_failure: Option<String>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        self.server_errors += other.server_errors;
        self.other_failures += other.other_failures;
        if self.first_failure.is_none() {
            self.first_failure = other.first_failure;
        }
    }
}

/// Sends one valid request and reads its whole answer; `Err` says what went wrong, with
/// the status when there was one.
async fn send_valid(
    client: &reqwest::Client,
    url: &str,
    request: &Valid,
) -> Result<(), (Option<u16>, String)> {
    let response = client
        .post(url)
        .bearer_auth("load-test")
        .header("content-type", "application/json")
        .body(request.body.clone())
        .send()
        .await
        .map_err(|error| (None, error.to_string()))?;
    let status = response.status().as_u16();
    let body = response
        .bytes()
        .await
        .map_err(|error| (Some(status), error.to_string()))?;
    if !(200..300).contains(&status) {
        return Err((Some(status), String::from_utf8_lossy(&body).into_owned()));
    }
    let complete = if request.streamed {
        body.ends_with(b"data: [DONE]\n\n")
    } else {
        serde_json::from_slice::<serde_json::Value>(&body).is_ok()
    };
    if complete {
        Ok(())
    } else {
        Err((Some(status), "an incomplete answer".to_owned()))
    }
}

fn main() {
    let seconds: u64 = std::env::var("LOAD_SECONDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(30);
    let clients: usize = std::env::var("LOAD_CLIENTS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(64);
    assert!(
        (1..=600).contains(&seconds) && (1..=1024).contains(&clients),
        "LOAD_SECONDS must be 1 to 600 and LOAD_CLIENTS 1 to 1024 (the run is bounded)"
    );
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    runtime.block_on(run(seconds, clients));
}

#[allow(
    clippy::cast_precision_loss,
    reason = "request counts and memory sizes, far below 2^52"
)]
async fn run(seconds: u64, clients: usize) {
    let mock = ai21_mock::RunningMock::start(
        "127.0.0.1:0".parse().expect("an address"),
        ai21_mock::Config::default(),
    )
    .await
    .expect("binds loopback");
    let base_url = Arc::new(mock.base_url());
    println!(
        "mock at {base_url}; {clients} clients of valid requests (J2, Jamba, Jamba streamed in turn) and {MALFORMED_CLIENTS} of malformed ones, for {seconds} s"
    );
    // The workspace's reqwest has rustls without a provider of its own.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients + MALFORMED_CLIENTS)
        .build()
        .expect("a client");
    let valid = Arc::new(valid_requests());
    let malformed = Arc::new(malformed_requests());
    let stop = Arc::new(AtomicBool::new(false));
    let (start_rss, _) = memory();
    let started = Instant::now();

    let workers: Vec<_> = (0..clients)
        .map(|worker| {
            let (client, valid, base_url, stop) = (
                client.clone(),
                Arc::clone(&valid),
                Arc::clone(&base_url),
                Arc::clone(&stop),
            );
            tokio::spawn(async move {
                let mut tallies: Vec<Tally> = valid.iter().map(|_| Tally::default()).collect();
                let mut turn = worker;
                while !stop.load(Ordering::Relaxed) {
                    let kind = turn % valid.len();
                    turn += 1;
                    let request = &valid[kind];
                    let url = format!("{base_url}{}", request.path);
                    let sent = Instant::now();
                    let outcome = send_valid(&client, &url, request).await;
                    let tally = &mut tallies[kind];
                    tally.latencies.push(sent.elapsed());
                    if let Err((status, reason)) = outcome {
                        if status.is_some_and(|status| status >= 500) {
                            tally.server_errors += 1;
                        } else {
                            tally.other_failures += 1;
                        }
                        tally.first_failure.get_or_insert_with(|| {
                            let mut reason = reason;
                            reason.truncate(300);
                            format!("{status:?}: {reason}")
                        });
                    }
                }
                tallies
            })
        })
        .collect();

    let troublemakers: Vec<_> = (0..MALFORMED_CLIENTS)
        .map(|worker| {
            let (client, malformed, base_url, stop) = (
                client.clone(),
                Arc::clone(&malformed),
                Arc::clone(&base_url),
                Arc::clone(&stop),
            );
            tokio::spawn(async move {
                // (name, status or 0 for a transport error) -> count
                let mut statuses: BTreeMap<(&'static str, u16), u64> = BTreeMap::new();
                let mut turn = worker;
                // A steady trickle beside the load, not a flood that takes its place.
                let mut pace = tokio::time::interval(MALFORMED_INTERVAL);
                while !stop.load(Ordering::Relaxed) {
                    pace.tick().await;
                    let request = &malformed[turn % malformed.len()];
                    turn += 1;
                    let mut builder = client
                        .request(
                            request.method.clone(),
                            format!("{base_url}{}", request.path),
                        )
                        .header("content-type", "application/json")
                        .body(request.body.clone());
                    if request.keyed {
                        builder = builder.bearer_auth("load-test");
                    }
                    let status = match builder.send().await {
                        Ok(response) => {
                            let status = response.status().as_u16();
                            let _ = response.bytes().await;
                            status
                        }
                        Err(_) => 0,
                    };
                    *statuses.entry((request.name, status)).or_default() += 1;
                }
                statuses
            })
        })
        .collect();

    let mut samples = Vec::new();
    for _ in 0..seconds {
        tokio::time::sleep(Duration::from_secs(1)).await;
        samples.push(memory().0);
    }
    stop.store(true, Ordering::Relaxed);
    let mut tallies: Vec<Tally> = valid.iter().map(|_| Tally::default()).collect();
    for worker in workers {
        for (total, tally) in tallies
            .iter_mut()
            .zip(worker.await.expect("a worker finishes"))
        {
            total.merge(tally);
        }
    }
    let mut statuses: BTreeMap<(&'static str, u16), u64> = BTreeMap::new();
    for worker in troublemakers {
        for (key, count) in worker.await.expect("a worker finishes") {
            *statuses.entry(key).or_default() += count;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (_, peak) = memory();
    mock.stop().await.expect("stops");

    let mut all: Vec<Duration> = Vec::new();
    println!(
        "{:<22} {:>9} {:>11} {:>9} {:>9} {:>5} {:>7}",
        "valid requests", "answered", "requests/s", "p50 ms", "p99 ms", "5xx", "other"
    );
    for (request, tally) in valid.iter().zip(&mut tallies) {
        tally.latencies.sort();
        println!(
            "{:<22} {:>9} {:>11.0} {:>9.2} {:>9.2} {:>5} {:>7}",
            request.name,
            tally.latencies.len(),
            tally.latencies.len() as f64 / elapsed,
            milliseconds(percentile(&tally.latencies, 0.50)),
            milliseconds(percentile(&tally.latencies, 0.99)),
            tally.server_errors,
            tally.other_failures,
        );
        all.extend(&tally.latencies);
    }
    all.sort();
    let server_errors: u64 = tallies.iter().map(|tally| tally.server_errors).sum();
    let other_failures: u64 = tallies.iter().map(|tally| tally.other_failures).sum();
    println!(
        "{:<22} {:>9} {:>11.0} {:>9.2} {:>9.2} {:>5} {:>7}",
        "all valid",
        all.len(),
        all.len() as f64 / elapsed,
        milliseconds(percentile(&all, 0.50)),
        milliseconds(percentile(&all, 0.99)),
        server_errors,
        other_failures,
    );

    let malformed_total: u64 = statuses.values().sum();
    let not_4xx: u64 = statuses
        .iter()
        .filter(|((_, status), _)| !(400..500).contains(status))
        .map(|(_, count)| count)
        .sum();
    let listed: Vec<String> = statuses
        .iter()
        .map(|((name, status), count)| format!("{name} -> {status}: {count}"))
        .collect();
    println!(
        "malformed requests: {malformed_total} ({:.0}/s), {not_4xx} not answered 4xx; {}",
        malformed_total as f64 / elapsed,
        listed.join(", ")
    );

    let mib = |kib: u64| kib as f64 / 1024.0;
    let series: Vec<String> = samples
        .iter()
        .map(|kib| format!("{:.0}", mib(*kib)))
        .collect();
    println!(
        "RSS MiB: at the start {:.0}, each second [{}], peak {:.0}",
        mib(start_rss),
        series.join(" "),
        mib(peak)
    );

    for (request, tally) in valid.iter().zip(&tallies) {
        assert!(
            tally.server_errors == 0 && tally.other_failures == 0,
            "{}: {} 5xx and {} other failures among valid requests; the first: {}",
            request.name,
            tally.server_errors,
            tally.other_failures,
            tally.first_failure.as_deref().unwrap_or_default()
        );
    }
    assert!(
        malformed_total > 0,
        "no malformed request was answered during the load"
    );
    assert_eq!(not_4xx, 0, "every malformed request gets a 4xx: {listed:?}");
    match (samples.get(4), samples.last()) {
        (Some(settled), Some(end)) => {
            let growth = end.saturating_sub(*settled) / 1024;
            assert!(
                growth <= MEMORY_GROWTH_LIMIT_MIB,
                "the resident memory grew by {growth} MiB from the fifth second to the end: {series:?}"
            );
        }
        _ => println!("memory flatness not checked: the run is shorter than 5 s"),
    }
}
