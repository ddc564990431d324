//! `ai21-contract verify`: runs the contract suite against an endpoint, by default the
//! embedded mock, and reports like `validate`.

use std::fs::File;
use std::io::{self, BufWriter, Write};

use ai21_validate::Validator;
use anyhow::{Context, Result, bail};

use crate::args::{Endpoints, TargetKind, VerifyArgs};
use ai21_check::{Outcome, Summary};
use ai21_report::Settings;

use crate::output;
use ai21_capture::redact::ApiKey;
use ai21_verify::{self as verify, Plan};

/// The key given to the embedded mock when the key variable is not set (any non-empty key
/// is accepted there).
const MOCK_KEY: &str = "offline-mock-key";

/// Runs the suite and writes the report; the exit status is 1 when a check failed.
pub fn run(args: &VerifyArgs) -> Result<u8> {
    let levels = crate::config::rule_levels(&args.rules)?;
    let live = args.base_url.is_some();
    let endpoints = args.endpoints.unwrap_or(if live {
        Endpoints::Jamba
    } else {
        Endpoints::Both
    });
    let plan = Plan {
        j2: matches!(endpoints, Endpoints::Both | Endpoints::J2),
        jamba: matches!(endpoints, Endpoints::Both | Endpoints::Jamba),
        generated: args.generated,
        seed: args.seed,
        server: match args.target.unwrap_or(if live {
            TargetKind::Live
        } else {
            TargetKind::Mock
        }) {
            TargetKind::Mock => verify::Server::Mock,
            TargetKind::Live => verify::Server::Live,
        },
    };
    let key = match ApiKey::from_env(&args.api_key_env) {
        Ok(key) => key,
        Err(_) if !live => ApiKey::new(MOCK_KEY),
        Err(error) => bail!("a live endpoint needs an API key: {error}"),
    };
    let (cases, counts) = verify::suite(&plan).context("building the suite")?;
    let mut record = match &args.record {
        Some(path) => Some(BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => None,
    };

    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let (sent, base_url) = runtime.block_on(async {
        let mock = match &args.base_url {
            Some(_) => None,
            None => Some(
                ai21_mock::RunningMock::start("127.0.0.1:0".parse().expect("a literal address"), ai21_mock::Config::default())
                    .await
                    .context("starting the embedded mock")?,
            ),
        };
        let base_url = match (&args.base_url, &mock) {
            (Some(url), _) => url.clone(),
            (None, Some(mock)) => mock.base_url(),
            (None, None) => unreachable!("a mock is started when there is no base URL"),
        };
        output::log(&format!(
            "verifying {} ({}): {} documented, {} generated, {} targeted and {} negative requests to {}",
            ai21_capture::redact::url(&base_url),
            match (live, plan.server) {
                (false, _) => "embedded mock",
                (true, verify::Server::Live) => "live endpoint",
                (true, verify::Server::Mock) => "a mock, every expectation exact",
            },
            counts.documented,
            counts.generated,
            counts.targeted,
            counts.negative,
            match endpoints {
                Endpoints::Both => "J2 complete and Jamba chat",
                Endpoints::Jamba => "Jamba chat only (J2 was switched off in November 2024; --endpoints both adds it)",
                Endpoints::J2 => "J2 complete only",
            }
        ));
        let client = verify::http_client().context("building the HTTP client")?;
        let sent = verify::send_all(&client, &base_url, &key, cases, args.concurrency).await;
        if let Some(mock) = mock {
            mock.stop().await.context("stopping the embedded mock")?;
        }
        anyhow::Ok((sent, base_url))
    })?;

    let settings = Settings {
        color: args.color.colors(args.format),
        verbose: args.verbose,
        deny_warnings: args.deny_warnings,
    };
    let mut writer = ai21_report::writer(args.format, settings, output::stdout())
        .context("starting the report")?;
    let validator = Validator::shared();
    // Every case of the suite is a record of this run.
    let started = std::time::Instant::now();
    let mut summary = Summary {
        records: sent.len() as u64,
        ..Summary::default()
    };
    let mut recorded = 0usize;
    let written: io::Result<Summary> = (|| {
        for (index, sent) in sent.iter().enumerate() {
            let unrecorded_location = verify::location(None, &base_url, index);
            let (mut checked, exchange) =
                verify::check(sent, unrecorded_location, &base_url, validator, plan.server);
            if let (Some(file), Some(exchange)) = (record.as_mut(), exchange) {
                exchange
                    .write_json_line(&mut *file)
                    .map_err(io::Error::other)?;
                recorded += 1;
                checked.location =
                    verify::location(args.record.as_deref(), &base_url, recorded - 1);
            }
            summary.allowed += levels.apply(&mut checked.report);
            let outcome = Outcome::Checked(checked);
            summary.add(&outcome);
            writer.outcome(&outcome)?;
        }
        if let Some(file) = record.as_mut() {
            file.flush()?;
        }
        summary.elapsed = started.elapsed();
        debug_assert!(
            summary.is_balanced(),
            "every case is counted once: {summary:?}"
        );
        writer.finish(&summary).map(|()| summary)
    })();
    super::exit_status(written, args.deny_warnings)
}
