//! The command line's arguments (clap derive): one variant of [`Command`] per subcommand,
//! whose module in [`crate::commands`] takes them.

use std::ffi::OsString;
use std::path::PathBuf;

use ai21_schemas::{Contract, Dialect, PayloadKind};
use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output;

/// Contract testing for AI21's J2 `complete` and Jamba `chat/completions` HTTP APIs.
#[derive(Debug, Parser)]
#[command(name = "ai21-contract", version, about, long_about = None)]
#[command(
    after_help = "Exit status: 0 when nothing failed, 1 when the input breaks the \
    contract, 2 when the command could not run."
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check captured traffic (JSONL captures, HAR files, single payloads) against the
    /// schemas and the API rules
    Validate(ValidateArgs),
    /// Run the mock AI21 API (J2 complete and Jamba chat) on a loopback address
    Serve(ServeArgs),
    /// Run the contract suite against an endpoint: the embedded mock by default, or
    /// --base-url
    Verify(VerifyArgs),
    /// Generate code from the contract for other projects: a self-contained Rust module
    Generate(GenerateArgs),
    /// Export the contract for other tools: an OpenAPI 3.1 document, or the JSON Schemas
    Export(ExportArgs),
    /// Compare two versions of the contract by the documents each accepts: what breaks
    /// clients, what is compatible, and the keywords that changed
    Diff(DiffArgs),
    /// Write a synthetic capture to standard output, for benchmarks and memory measurements
    #[command(hide = true)]
    GenerateCapture(GenerateCaptureArgs),
}

/// The arguments of `generate`.
#[derive(Debug, Args)]
#[command(after_help = "Exit status: 0 when the code was written, 2 when it could not be.")]
pub struct GenerateArgs {
    /// What to generate.
    #[command(subcommand)]
    pub target: GenerateTarget,
}

/// What `generate` writes.
#[derive(Debug, Subcommand)]
pub enum GenerateTarget {
    /// One self-contained Rust module with every payload type (the types of ai21-models),
    /// depending on serde (with derive) and serde_json only; put it in `src/ai21.rs` and
    /// declare it with `mod ai21;`
    Rust(GenerateRustArgs),
}

/// The arguments of `generate rust`.
#[derive(Debug, Args)]
pub struct GenerateRustArgs {
    /// Write the module to this file instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The visibility of every item: `pub`, or `crate` for `pub(crate)`
    #[arg(long, value_enum, default_value_t = ItemVisibility::Pub)]
    pub visibility: ItemVisibility,
    /// A paragraph for the module's documentation, after the generated header
    #[arg(long, value_name = "TEXT")]
    pub doc: Option<String>,
}

/// The visibility of a generated module's items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ItemVisibility {
    /// `pub`
    Pub,
    /// `pub(crate)`
    Crate,
}

/// The arguments of `diff`.
#[derive(Debug, Args)]
#[command(
    after_help = "A side is a folder laid out like schemas/ (<kind>.schema.json files and \
    dialects/<name>.overlay.json), or contract:NAME for a contract this program embeds \
    (contract:current, or a historical one: contract:jamba-preview, contract:j2-older). With \
    --git, a side is a revision of the git repository around the working directory, REV \
    (its schemas/ folder) or REV:PATH.\n\n\
    Examples:\n  \
    ai21-contract diff schemas/history/jamba-preview schemas\n  \
    ai21-contract diff --git origin/main HEAD --format markdown\n\n\
    Exit status: 0 when every change is compatible (or declared with --accept), 1 when a \
    change breaks clients or consumers, 2 when the comparison could not run."
)]
pub struct DiffArgs {
    /// The old version
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The new version [default: the contract this program embeds; with --git, the
    /// working tree's schemas/ folder]
    #[arg(value_name = "NEW")]
    pub new: Option<String>,
    /// OLD and NEW are git revisions (REV or REV:PATH) of the repository around the
    /// working directory
    #[arg(long)]
    pub git: bool,
    /// The report's format
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// Write the report to this file instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Random documents generated from each version of each payload kind (boundary probes
    /// come on top)
    #[arg(long, value_name = "N", default_value_t = ai21_diff::Options::default().cases)]
    pub cases: usize,
    /// The generator's seed: the same seed gives the same report
    #[arg(long, value_name = "N", default_value_t = ai21_diff::Options::default().seed)]
    pub seed: u64,
    /// Count a response member the old version only accepted as unknown (its objects are
    /// open) as breaking, for consumers that refuse unknown members
    #[arg(long)]
    pub strict_consumers: bool,
    /// Declare a breaking change as intended, by its id (shown with each change) or a
    /// whole subject (`jamba-chat.request`): it is reported, and does not fail the run
    #[arg(long, value_name = "ID")]
    pub accept: Vec<String>,
    /// With --git: declare the changes named by `Contract-Break: ID` trailers in the
    /// messages of the commits from OLD to NEW (to HEAD without NEW)
    #[arg(long, requires = "git")]
    pub accept_from_commits: bool,
}

/// The format of `diff`'s report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Plain text for a terminal
    Human,
    /// One JSON document
    Json,
    /// Markdown, for a pull-request comment
    Markdown,
}

/// The arguments of `export`.
#[derive(Debug, Args)]
#[command(after_help = "Exit status: 0 when the files were written, 2 when they could not be.")]
pub struct ExportArgs {
    /// What to export.
    #[command(subcommand)]
    pub target: ExportTarget,
}

/// What `export` writes.
#[derive(Debug, Subcommand)]
pub enum ExportTarget {
    /// An OpenAPI 3.1.0 document of both endpoints, built from the canonical schemas (the
    /// repository holds it as exports/ai21.openapi.json)
    Openapi(ExportOpenapiArgs),
    /// The canonical JSON Schemas as standalone files, each partner platform's in bedrock/,
    /// vertex/ and azure/, with catalog.json mapping each $id to its file
    Schemas(ExportSchemasArgs),
}

/// The arguments of `export openapi`.
#[derive(Debug, Args)]
pub struct ExportOpenapiArgs {
    /// Write the document to this file instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The arguments of `export schemas`.
#[derive(Debug, Args)]
pub struct ExportSchemasArgs {
    /// The folder to write the files into (created if missing)
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
}

/// The arguments of `validate`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 when no record has an error, 1 when a record has \
    an error or cannot be read (or has a warning, with --deny-warnings), 2 when the \
    command could not run."
)]
pub struct ValidateArgs {
    /// Capture files, directories (read recursively) or `-` for standard input; `.gz` is
    /// read transparently
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<OsString>,

    /// The report format
    #[arg(long, value_enum, default_value_t = ai21_report::Format::Human)]
    pub format: ai21_report::Format,

    /// Read every input as this format instead of telling it from the name and content
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,

    /// The kind of single payload files, instead of telling it from their members
    #[arg(long, value_parser = kind_parser())]
    pub kind: Option<PayloadKind>,

    /// Read exchanges whose URL does not tell its platform (a bare path, a proxy's or a
    /// mock's host) and single payloads in this dialect; a platform's own host, and a
    /// record's `dialect` member, still decide for themselves
    #[arg(long, value_parser = dialect_parser(), value_name = "DIALECT")]
    pub dialect: Option<Dialect>,

    /// Check AI21 Studio's payloads against this contract: today's (current) or a
    /// historical one, for the kinds it freezes (the Jamba preview's chat request and
    /// response, the older J2 docs' request); see docs/validate.md
    #[arg(long, value_parser = contract_parser(), value_name = "NAME", default_value = "current")]
    pub contract: Contract,

    /// Fail (exit 1) on warnings too
    #[arg(long)]
    pub deny_warnings: bool,

    /// Mask prompt and completion text quoted in findings
    #[arg(long)]
    pub redact_content: bool,

    /// Rule levels and the configuration file.
    #[command(flatten)]
    pub rules: RuleArgs,

    /// Check every JSONL record by parsing it into a tree, never the fast way (the same
    /// findings, slower: for comparing the two)
    #[arg(long)]
    pub no_fast_path: bool,

    /// Colour the human report: auto colours only a terminal, and never when NO_COLOR or
    /// CI is set
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// List valid records and skipped items too (human format)
    #[arg(short, long)]
    pub verbose: bool,

    /// Threads checking records [default: one per core]
    #[arg(
        short,
        long,
        value_name = "N",
        default_value_t = 0,
        hide_default_value = true
    )]
    pub jobs: usize,
}

/// The arguments of `serve`.
#[derive(Debug, Args)]
#[command(
    after_help = "Requests are validated: a request that breaks the contract gets 422 \
    with the findings in the API's error envelope. Lenient (the default) refuses the \
    errors the real server would not ignore and answers the rest, as the real server does \
    with unknown fields; --strict refuses every error, unknown request fields included. \
    Warnings (a retired, unknown or deprecated model, a suspicious spelling) never refuse \
    a request. An answered request's findings are reported in the \
    x-ai21-contract-findings header and on standard error."
)]
pub struct ServeArgs {
    /// The address to listen on
    #[arg(long, default_value = "127.0.0.1:8021")]
    pub addr: std::net::SocketAddr,
    /// The seed of every answer: the same seed and request give the same answer
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Accept only the API keys listed, comma-separated, in this environment variable
    /// [default: any non-empty key]
    #[arg(long, value_name = "VAR")]
    pub key_env: Option<String>,
    /// Refuse every error with 422, unknown request fields included (warnings never refuse)
    #[arg(long)]
    pub strict: bool,
    /// Write every exchange on an API path, answers and refusals, secrets removed, to this
    /// JSONL capture (which `validate` reads); the file is created or truncated
    #[arg(long, value_name = "FILE")]
    pub record: Option<std::path::PathBuf>,
    /// The largest request body accepted, in bytes (413 above it)
    #[arg(long, value_name = "BYTES", default_value_t = 4 * 1024 * 1024)]
    pub body_limit: usize,
    /// The share of requests, 0 to 1, that get an injected fault
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub fault_rate: f64,
    /// The faults to inject, comma-separated: 429, 500, 503, slow, cut [default: all]
    #[arg(long, value_delimiter = ',', value_name = "FAULTS")]
    pub faults: Vec<String>,
    /// How long a slow answer waits, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    pub slow_ms: u64,
}

/// The arguments of `verify`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 when every check passed, 1 when a check failed (or \
    a warning was found, with --deny-warnings), 2 when the suite could not run."
)]
pub struct VerifyArgs {
    /// The endpoint's base URL, such as `https://api.ai21.com` [default: start the embedded
    /// mock on a free loopback port]
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// What the endpoint is: against a mock every expectation of a refusal is exact; against
    /// a live endpoint one that no recorded traffic confirms is a warning [default: mock
    /// without --base-url, live with it]
    #[arg(long, value_enum)]
    pub target: Option<TargetKind>,
    /// The dialect to speak: AI21 Studio's API, or a partner cloud's (its paths, bodies,
    /// credentials and errors)
    #[arg(long, value_parser = dialect_parser(), value_name = "DIALECT", default_value = "studio")]
    pub dialect: Dialect,
    /// The environment variable holding the API key or token (never printed) [default:
    /// AI21_API_KEY; AZURE_API_KEY with --dialect azure; GOOGLE_OAUTH_ACCESS_TOKEN with
    /// --dialect vertex; Bedrock signs with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
    /// AWS_SESSION_TOKEN instead]
    #[arg(long, value_name = "VAR")]
    pub api_key_env: Option<String>,
    /// The model to send to instead of the one mapped from each case's: a Bedrock model id
    /// (for the endpoint it serves: `ai21.j2-...` J2, any other Jamba), a Vertex model such
    /// as `jamba-1.5-large@001`, or the `model` of every Azure body
    #[arg(long, value_name = "ID")]
    pub model: Option<String>,
    /// Vertex: the Google Cloud project [default: GOOGLE_CLOUD_PROJECT, then
    /// CLOUDSDK_CORE_PROJECT; `ai21-contract-mock` for the embedded mock]
    #[arg(long, value_name = "PROJECT")]
    pub project: Option<String>,
    /// Bedrock: the region requests are signed for [default: AWS_REGION, then
    /// AWS_DEFAULT_REGION]; Vertex: the region of the path [default: GOOGLE_CLOUD_LOCATION,
    /// then CLOUDSDK_COMPUTE_REGION]; for the embedded mock, us-east-1 and us-central1
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Azure: the `api-version` query to add to every request, such as `2024-05-01-preview`
    #[arg(long, value_name = "VERSION")]
    pub api_version: Option<String>,
    /// Which endpoints to verify [default: both against the mock, jamba against a live
    /// endpoint]
    #[arg(long, value_enum)]
    pub endpoints: Option<Endpoints>,
    /// Generated valid requests per endpoint
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub generated: usize,
    /// The seed of the generated requests
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Requests in flight at once
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub concurrency: usize,
    /// Write every exchange, secrets removed, to this JSONL capture (which `validate` reads)
    #[arg(long, value_name = "FILE")]
    pub record: Option<std::path::PathBuf>,
    /// The report format
    #[arg(long, value_enum, default_value_t = ai21_report::Format::Human)]
    pub format: ai21_report::Format,
    /// Fail (exit 1) on warnings too
    #[arg(long)]
    pub deny_warnings: bool,
    /// Rule levels and the configuration file.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Colour the human report
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// List passing checks too (human format)
    #[arg(short, long)]
    pub verbose: bool,
}

/// Rule levels on the command line, and where the configuration file is.
#[derive(Debug, Clone, Default, Args)]
pub struct RuleArgs {
    /// Drop the findings of this rule id, or of every rule under a prefix ending in `/`
    /// (`drift/`); they are counted as allowed in the summary (repeatable)
    #[arg(long, value_name = "RULE")]
    pub allow: Vec<String>,
    /// Report the findings of this rule id or prefix as warnings (repeatable)
    #[arg(long, value_name = "RULE")]
    pub warn: Vec<String>,
    /// Report the findings of this rule id or prefix as errors (repeatable)
    #[arg(long, value_name = "RULE")]
    pub deny: Vec<String>,
    /// Read rule levels from this file [default: the first ai21-contract.toml found from
    /// the working directory up]
    #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Read no configuration file
    #[arg(long)]
    pub no_config: bool,
}

/// What kind of endpoint `verify` runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetKind {
    /// This project's mock, or a stand-in for it: every expectation is exact
    Mock,
    /// A live endpoint: expectations no recorded traffic confirms are warnings
    Live,
}

/// The endpoints `verify` sends requests to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Endpoints {
    /// J2 complete and Jamba chat
    Both,
    /// Jamba chat only
    Jamba,
    /// J2 complete only
    J2,
}

/// The arguments of the hidden `generate-capture`.
#[derive(Debug, Args)]
pub struct GenerateCaptureArgs {
    /// Stop after this many bytes, such as 50MB or 1GB
    #[arg(long, value_parser = ai21_generate::capture::parse_size, default_value = "1MB")]
    pub size: u64,
    /// The seed; the same seed and size give the same bytes
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Planted violations per thousand records
    #[arg(long, default_value_t = 20)]
    pub invalid_per_mille: u32,
}

/// An input format named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// JSON Lines captures, one exchange per line
    Jsonl,
    /// HTTP Archive 1.2
    Har,
    /// One JSON payload per file
    Payload,
}

impl From<InputFormat> for ai21_capture::Format {
    fn from(format: InputFormat) -> ai21_capture::Format {
        match format {
            InputFormat::Jsonl => ai21_capture::Format::Jsonl,
            InputFormat::Har => ai21_capture::Format::Har,
            InputFormat::Payload => ai21_capture::Format::Payload,
        }
    }
}

/// When to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR, CI or TERM=dumb says otherwise
    Auto,
    /// Always
    Always,
    /// Never
    Never,
}

impl ColorChoice {
    /// Whether a report in `format` is coloured: only the human format, and with `auto`
    /// only on a terminal without NO_COLOR, CI or TERM=dumb.
    pub fn colors(self, format: ai21_report::Format) -> bool {
        format == ai21_report::Format::Human
            && match self {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => output::stdout_is_terminal() && !output::plain_environment(),
            }
    }
}

/// `studio`, `bedrock`, `vertex` or `azure`.
pub(crate) fn dialect_parser() -> impl clap::builder::TypedValueParser<Value = Dialect> {
    use clap::builder::TypedValueParser;
    PossibleValuesParser::new(Dialect::ALL.map(Dialect::name)).map(|name: String| {
        name.parse::<Dialect>()
            .expect("the possible values are the dialects' names")
    })
}

fn contract_parser() -> impl clap::builder::TypedValueParser<Value = Contract> {
    use clap::builder::TypedValueParser;
    PossibleValuesParser::new(Contract::ALL.map(Contract::name)).map(|name: String| {
        Contract::by_name(&name).expect("the possible values are the contracts' names")
    })
}

fn kind_parser() -> impl clap::builder::TypedValueParser<Value = PayloadKind> {
    use clap::builder::TypedValueParser;
    PossibleValuesParser::new(PayloadKind::ALL.map(PayloadKind::stem)).map(|name: String| {
        PayloadKind::from_name(&name).expect("the possible values are the kinds' stems")
    })
}
