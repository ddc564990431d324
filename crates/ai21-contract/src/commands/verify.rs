//! `ai21-contract verify`: runs the contract suite against an endpoint, by default the
//! embedded mock, in AI21 Studio's dialect or a partner cloud's, and reports like
//! `validate`.

use std::fs::File;
use std::io::{self, BufWriter, Write};

use ai21_schemas::{Dialect, Recognition, Route};
use ai21_validate::Validator;
use anyhow::{Context, Result, bail};

use crate::args::{Endpoints, TargetKind, VerifyArgs};
use ai21_check::{Outcome, Summary};
use ai21_report::Settings;

use crate::output;
use ai21_capture::redact::ApiKey;
use ai21_verify::{self as verify, Credentials, Destination, Plan, SigV4};

/// The key given to the embedded mock when the key variable is not set (any non-empty key
/// is accepted there).
const MOCK_KEY: &str = "offline-mock-key";
/// The AWS credentials the embedded mock is signed for when the AWS variables are not set
/// (the mock reads the access key id, and has no secret to check a signature with).
const MOCK_AWS_KEY_ID: &str = "AKIDOFFLINEMOCK";
const MOCK_AWS_SECRET: &str = "offline-mock-secret-access-key";
/// The Vertex project and the regions of the embedded mock, when none is given.
const MOCK_PROJECT: &str = "ai21-contract-mock";
const MOCK_BEDROCK_REGION: &str = "us-east-1";
const MOCK_VERTEX_REGION: &str = "us-central1";

/// Runs the suite and writes the report; the exit status is 1 when a check failed.
pub fn run(args: &VerifyArgs) -> Result<u8> {
    let levels = crate::config::rule_levels(&args.rules)?;
    let live = args.base_url.is_some();
    let dialect = args.dialect;
    let endpoints = args.endpoints.unwrap_or(if live {
        Endpoints::Jamba
    } else {
        Endpoints::Both
    });
    let serves_j2 = dialect.serves(ai21_schemas::PayloadKind::J2CompleteRequest);
    if endpoints == Endpoints::J2 && !serves_j2 {
        bail!(
            "{} serves no J2: --endpoints j2 leaves nothing to send with --dialect {dialect}",
            dialect.title()
        );
    }
    let region = region(args, live)?;
    let destination = destination(args, live, region.as_deref())?;
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
        destination,
    };
    let credentials = credentials(args, live, region.as_deref())?;
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
        let what = match (live, plan.server) {
            (false, _) => "embedded mock",
            (true, verify::Server::Live) => "live endpoint",
            (true, verify::Server::Mock) => "a mock, every expectation exact",
        };
        output::log(&format!(
            "verifying {} ({what}{}): {} documented, {} generated, {} targeted and {} negative requests to {}",
            ai21_capture::redact::url(&base_url),
            match dialect {
                Dialect::Studio => String::new(),
                partner => format!(", {}", partner.title()),
            },
            counts.documented,
            counts.generated,
            counts.targeted,
            counts.negative,
            match (endpoints, serves_j2) {
                (Endpoints::Both, true) => "J2 complete and Jamba chat",
                (Endpoints::Jamba, true) if dialect == Dialect::Studio => "Jamba chat only (J2 was switched off in November 2024; --endpoints both adds it)",
                (Endpoints::Jamba, true) => "Jamba chat only (--endpoints both adds J2)",
                (Endpoints::Both | Endpoints::Jamba, false) => "Jamba chat only",
                (Endpoints::J2, _) => "J2 complete only",
            }
        ));
        if let Some(unsent) = counts.unsent(dialect) {
            output::log(&format!("not sent to {}: {unsent}", dialect.title()));
        }
        let client = verify::http_client().context("building the HTTP client")?;
        let sent = verify::send_all(&client, &base_url, &credentials, cases, args.concurrency).await;
        if let Some(mock) = mock {
            mock.stop().await.context("stopping the embedded mock")?;
        }
        anyhow::Ok((sent, base_url))
    })?;

    let settings = Settings {
        color: args.color.colors(args.format),
        verbose: args.verbose,
        deny_warnings: args.deny_warnings,
        contract: None,
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

/// The first of these environment variables that is set and not blank.
fn first_env(variables: &[&str]) -> Option<String> {
    variables.iter().find_map(|variable| {
        std::env::var(variable)
            .ok()
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    })
}

/// A project or region as it may stand in a path: letters, digits, `-`, `_` and `.`.
fn path_segment(what: &str, value: String) -> Result<String> {
    if value.is_empty()
        || !value
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-_.".contains(&byte))
    {
        bail!("{what} {value:?} is not a name: letters, digits, `-`, `_` and `.` only");
    }
    Ok(value)
}

/// The region: Bedrock's to sign for, Vertex's for the path; none for Studio and Azure.
fn region(args: &VerifyArgs, live: bool) -> Result<Option<String>> {
    let (variables, mock_region): (&[&str], _) = match args.dialect {
        Dialect::Bedrock => (&["AWS_REGION", "AWS_DEFAULT_REGION"], MOCK_BEDROCK_REGION),
        Dialect::Vertex => (
            &["GOOGLE_CLOUD_LOCATION", "CLOUDSDK_COMPUTE_REGION"],
            MOCK_VERTEX_REGION,
        ),
        Dialect::Studio | Dialect::Azure => {
            if args.region.is_some() {
                bail!("--region applies to --dialect bedrock and vertex only");
            }
            return Ok(None);
        }
    };
    let region = match args.region.clone().or_else(|| first_env(variables)) {
        Some(region) => region,
        None if !live => mock_region.to_owned(),
        None => bail!(
            "{} needs a region: give --region, or set {}",
            args.dialect.title(),
            variables.join(" or ")
        ),
    };
    path_segment("the region", region).map(Some)
}

/// Where the suite is sent, from the dialect and its flags.
fn destination(args: &VerifyArgs, live: bool, region: Option<&str>) -> Result<Destination> {
    let dialect = args.dialect;
    if args.project.is_some() && dialect != Dialect::Vertex {
        bail!("--project applies to --dialect vertex only");
    }
    if args.api_version.is_some() && dialect != Dialect::Azure {
        bail!("--api-version applies to --dialect azure only");
    }
    if args.model.is_some() && dialect == Dialect::Studio {
        bail!(
            "--model applies to the partner dialects (bedrock, vertex, azure): AI21 Studio's cases name their own models"
        );
    }
    let model = args.model.clone();
    if let Some(model) = &model {
        let problem = if model.trim().is_empty() || model.chars().any(char::is_whitespace) {
            Some("it is empty or holds a blank")
        } else if matches!(dialect, Dialect::Bedrock | Dialect::Vertex)
            && model.contains(['/', '?', '#'])
        {
            Some(
                "it holds `/`, `?` or `#`, which a path cannot carry as written (give the model id, not an ARN)",
            )
        } else if dialect == Dialect::Bedrock
            && !matches!(
                Route::recognise(
                    "",
                    &format!("/model/{model}/invoke"),
                    Some(Dialect::Bedrock)
                ),
                Recognition::Route(_)
            )
        {
            Some(
                "it is not an AI21 model id on Bedrock (those start with `ai21.`, or a cross-region prefix such as `us.ai21.`)",
            )
        } else {
            None
        };
        if let Some(problem) = problem {
            bail!("--model {model:?}: {problem}");
        }
    }
    Ok(match dialect {
        Dialect::Studio => Destination::Studio,
        Dialect::Bedrock => Destination::Bedrock { model },
        Dialect::Vertex => {
            let project = match args
                .project
                .clone()
                .or_else(|| first_env(&["GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT"]))
            {
                Some(project) => project,
                None if !live => MOCK_PROJECT.to_owned(),
                None => bail!(
                    "Google Vertex AI needs a project: give --project, or set GOOGLE_CLOUD_PROJECT or CLOUDSDK_CORE_PROJECT"
                ),
            };
            Destination::Vertex {
                project: path_segment("the project", project)?,
                region: region
                    .expect("a Vertex region is always decided")
                    .to_owned(),
                model,
            }
        }
        Dialect::Azure => Destination::Azure {
            api_version: args.api_version.clone(),
            model,
        },
    })
}

/// The credentials of the dialect, from the environment; for the embedded mock, stand-ins
/// when the variables are not set.
fn credentials(args: &VerifyArgs, live: bool, region: Option<&str>) -> Result<Credentials> {
    let dialect = args.dialect;
    if dialect == Dialect::Bedrock {
        if args.api_key_env.is_some() {
            bail!(
                "--api-key-env does not apply to --dialect bedrock, which signs with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN"
            );
        }
        let region = region.expect("a Bedrock region is always decided");
        return match SigV4::from_env(region) {
            Ok(signer) => Ok(Credentials::SigV4(signer)),
            Err(_) if !live => Ok(Credentials::SigV4(SigV4::new(
                ApiKey::new(MOCK_AWS_KEY_ID),
                ApiKey::new(MOCK_AWS_SECRET),
                None,
                region,
            ))),
            Err(error) => bail!(
                "Amazon Bedrock needs AWS credentials: {error} (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and AWS_SESSION_TOKEN for temporary credentials; profiles and SSO are not read: `aws configure export-credentials --format env` prints them as variables)"
            ),
        };
    }
    let variable = args.api_key_env.as_deref().unwrap_or(match dialect {
        Dialect::Azure => "AZURE_API_KEY",
        Dialect::Vertex => "GOOGLE_OAUTH_ACCESS_TOKEN",
        Dialect::Studio | Dialect::Bedrock => "AI21_API_KEY",
    });
    let key = match ApiKey::from_env(variable) {
        Ok(key) => key,
        Err(_) if !live => ApiKey::new(MOCK_KEY),
        Err(error) => match dialect {
            Dialect::Vertex => bail!(
                "Google Vertex AI needs an access token: {error} (`gcloud auth print-access-token` prints one)"
            ),
            Dialect::Azure => bail!("Azure AI needs the deployment's key: {error}"),
            _ => bail!("a live endpoint needs an API key: {error}"),
        },
    };
    Ok(match dialect {
        Dialect::Azure => Credentials::AzureKey(key),
        _ => Credentials::Bearer(key),
    })
}
