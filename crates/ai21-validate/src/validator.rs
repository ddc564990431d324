//! The [`Validator`]: the compiled schemas of a contract and the rules, built once and
//! shared.

use std::sync::OnceLock;

use ai21_schemas::{Contract, Dialect, PayloadKind};
use ai21_tape::{TapeRef, View};
use serde_json::Value;

use crate::fast_schema::FastSchema;
use crate::report::{Finding, Report, Target};
use crate::rule::{Defaults, client, j2, jamba};
use crate::{Error, Result, drift, explain, model};

/// Validates payloads, exchanges and streams against the schemas of a [`Contract`] and the
/// API rules. It holds one compiled schema per [`PayloadKind`], and one more per kind a
/// [`Dialect`]'s overlay changes; build it once (or use [`Validator::shared`]) and share it
/// between threads.
///
/// [`Validator::new`] checks against today's contract, the canonical schemas;
/// [`Validator::for_contract`] against a historical one.
#[derive(Debug)]
pub struct Validator {
    /// The contract whose schemas AI21 Studio's payloads are checked against.
    contract: Contract,
    /// For each dialect (in [`Dialect::ALL`] order) and kind (in [`PayloadKind::ALL`]
    /// order), where its schema is in the tables below: a dialect that does not change a
    /// kind shares the canonical entry.
    slots: [[usize; 6]; 4],
    /// One schema per distinct schema: what a schema error is explained against.
    schemas: Vec<&'static Value>,
    /// One compiled schema per distinct schema, in the same order.
    compiled: Vec<jsonschema::Validator>,
    /// One drift plan per distinct schema, in the same order.
    drift: Vec<drift::Plan<'static>>,
    /// One schema compiled for the fast check per distinct schema, in the same order.
    fast: Vec<FastSchema>,
    pub(crate) defaults: Defaults,
}

impl Validator {
    /// Compiles every canonical schema and every dialect's overlaid one, and reads the
    /// defaults and the model list: the validator of today's contract.
    pub fn new() -> Result<Validator> {
        Validator::for_contract(Contract::CURRENT)
    }

    /// The validator of `contract`: AI21 Studio's payloads of a kind the contract freezes
    /// are checked against its historical schema (the schema check, the unknown-field
    /// walk and the fast path alike), those of the kinds it does not freeze against
    /// today's. A historical contract describes AI21 Studio's documents: a payload sent to
    /// a partner platform (Bedrock, Vertex, Azure) is still checked against that
    /// platform's schema of today. The API rules and the model registry are the same for
    /// every contract, and so are the defaults they read (today's).
    ///
    /// ```
    /// use ai21_validate::{Contract, PayloadKind, Validator};
    /// use serde_json::json;
    ///
    /// let preview = Validator::for_contract(Contract::by_name("jamba-preview")?)?;
    /// let request = json!({
    ///     "model": "jamba-instruct-preview",
    ///     "messages": [{"role": "user", "content": "Hi"}],
    ///     "max_tokens": 8000,
    /// });
    /// // The preview took up to 64K tokens; today's contract takes 4096.
    /// assert!(!preview.validate(PayloadKind::JambaChatRequest, &request).has_errors());
    /// let today = Validator::shared().validate(PayloadKind::JambaChatRequest, &request);
    /// assert_eq!(today.errors().next().map(|finding| finding.rule), Some("schema/maximum"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_contract(contract: Contract) -> Result<Validator> {
        let mut slots = [[0; 6]; 4];
        let mut schemas = Vec::new();
        let mut compiled = Vec::new();
        let mut drift = Vec::new();
        let mut fast = Vec::new();
        let mut add = |schema: &'static Value, error: &dyn Fn(String) -> Error| {
            compiled.push(
                jsonschema::draft202012::new(schema)
                    .map_err(|compile| error(compile.to_string()))?,
            );
            schemas.push(schema);
            drift.push(drift::Plan::new(schema));
            fast.push(FastSchema::new(schema));
            Ok::<usize, Error>(compiled.len() - 1)
        };
        for (dialect_index, dialect) in Dialect::ALL.into_iter().enumerate() {
            for (kind_index, kind) in PayloadKind::ALL.into_iter().enumerate() {
                if dialect != Dialect::Studio && dialect.patch(kind).is_none() {
                    slots[dialect_index][kind_index] = slots[0][kind_index];
                    continue;
                }
                slots[dialect_index][kind_index] =
                    add(kind.schema_in(dialect), &|message| Error::Compile {
                        kind,
                        dialect,
                        message,
                    })?;
            }
        }
        // A historical schema takes AI21 Studio's slot of its kind; the partners' slots,
        // shared with today's canonical entry or their own, stay today's.
        if contract.is_historical() {
            for kind in contract.kinds() {
                slots[Dialect::Studio as usize][kind as usize] =
                    add(contract.schema_or_today(kind), &|message| {
                        Error::CompileHistorical {
                            contract,
                            kind,
                            message,
                        }
                    })?;
            }
        }
        model::known_models()?;
        Ok(Validator {
            contract,
            slots,
            schemas,
            compiled,
            drift,
            fast,
            defaults: Defaults::from_schemas()?,
        })
    }

    /// The validator of today's contract, built on first use and shared by the whole
    /// process.
    pub fn shared() -> &'static Validator {
        Validator::shared_for(Contract::CURRENT)
    }

    /// The validator of `contract` ([`Validator::for_contract`]), built on first use and
    /// shared by the whole process.
    pub fn shared_for(contract: Contract) -> &'static Validator {
        static SHARED: [OnceLock<Validator>; Contract::ALL.len()] =
            [const { OnceLock::new() }; Contract::ALL.len()];
        let index = Contract::ALL
            .iter()
            .position(|known| *known == contract)
            .expect("every contract is in Contract::ALL");
        SHARED[index].get_or_init(|| {
            Validator::for_contract(contract).expect(
                "the embedded schemas compile and the model list parses (tested by this crate)",
            )
        })
    }

    /// The contract this validator checks AI21 Studio's payloads against.
    pub fn contract(&self) -> Contract {
        self.contract
    }

    /// Validates one payload of `kind` on its own: the schema, the API rules of its kind,
    /// and for responses and chunks the drift warnings. Findings have
    /// [`Target::Payload`].
    pub fn validate(&self, kind: PayloadKind, payload: &Value) -> Report {
        self.validate_in(Dialect::Studio, kind, payload)
    }

    /// Validates one payload of `kind` as `dialect` has it: against the kind's schema with
    /// the dialect's overlay applied ([`PayloadKind::schema_in`]), then the API rules and
    /// drift as [`Validator::validate`] does.
    ///
    /// ```
    /// use ai21_validate::{Dialect, PayloadKind, Validator};
    /// use serde_json::json;
    ///
    /// let validator = Validator::shared();
    /// let body = json!({"messages": [{"role": "user", "content": "Hi"}]});
    /// // AI21's own API needs the model in the body; Bedrock has it in the URL.
    /// assert!(validator.validate(PayloadKind::JambaChatRequest, &body).has_errors());
    /// assert!(validator.validate_in(Dialect::Bedrock, PayloadKind::JambaChatRequest, &body).is_clean());
    /// ```
    pub fn validate_in(&self, dialect: Dialect, kind: PayloadKind, payload: &Value) -> Report {
        let mut findings = Vec::new();
        self.check(On::dialect(dialect), kind, payload, &mut findings);
        Report { findings }
    }

    /// The JSON Pointers of the fields of `payload` that the schema of `kind` does not
    /// declare, in closed objects (requests) and open ones alike: what a server that
    /// ignores unknown fields ignores. A mock answering leniently removes them before it
    /// reads the request.
    pub fn unknown_fields(&self, kind: PayloadKind, payload: &Value) -> Vec<String> {
        self.unknown_fields_in(Dialect::Studio, kind, payload)
    }

    /// [`Validator::unknown_fields`] against the schema as `dialect` has it.
    pub fn unknown_fields_in(
        &self,
        dialect: Dialect,
        kind: PayloadKind,
        payload: &Value,
    ) -> Vec<String> {
        drift::undeclared_fields(self.plan_in(dialect, kind), payload)
    }

    /// Removes from `payload` the fields [`Validator::unknown_fields`] finds: the request
    /// a server that ignores unknown fields reads.
    pub fn remove_unknown_fields(&self, kind: PayloadKind, payload: &mut Value) {
        self.remove_unknown_fields_in(Dialect::Studio, kind, payload);
    }

    /// [`Validator::remove_unknown_fields`] against the schema as `dialect` has it.
    pub fn remove_unknown_fields_in(
        &self,
        dialect: Dialect,
        kind: PayloadKind,
        payload: &mut Value,
    ) {
        for pointer in self.unknown_fields_in(dialect, kind, payload) {
            remove_pointer(payload, &pointer);
        }
    }

    /// Whether `payload` satisfies the schema of `kind` (rules and drift aside).
    pub fn is_schema_valid(&self, kind: PayloadKind, payload: &Value) -> bool {
        self.is_schema_valid_in(Dialect::Studio, kind, payload)
    }

    /// Whether `payload` satisfies the schema of `kind` as `dialect` has it.
    pub fn is_schema_valid_in(&self, dialect: Dialect, kind: PayloadKind, payload: &Value) -> bool {
        self.compiled[self.slot(dialect, kind)].is_valid(payload)
    }

    /// The plan of the canonical schema of `kind`, for walks beside an instance.
    pub(crate) fn plan(&self, kind: PayloadKind) -> &drift::Plan<'static> {
        self.plan_in(Dialect::Studio, kind)
    }

    /// The plan of the schema of `kind` as `dialect` has it.
    pub(crate) fn plan_in(&self, dialect: Dialect, kind: PayloadKind) -> &drift::Plan<'static> {
        &self.drift[self.slot(dialect, kind)]
    }

    /// Where the schema of `kind` in `dialect` is in the tables.
    fn slot(&self, dialect: Dialect, kind: PayloadKind) -> usize {
        self.slots[dialect as usize][kind as usize]
    }

    /// Schema, rules and drift for one payload, appended to `out` with
    /// [`Target::Payload`].
    pub(crate) fn check(
        &self,
        on: On<'_>,
        kind: PayloadKind,
        payload: &Value,
        out: &mut Vec<Finding>,
    ) {
        let dialect = on.dialect;
        let client = client::check(kind, payload);
        if client.claimed.is_empty() {
            self.check_schema(dialect, kind, payload, out);
        } else {
            // The fields a client rule explains are not reported again as unknown.
            let mut rest = payload.clone();
            for pointer in &client.claimed {
                remove_pointer(&mut rest, pointer);
            }
            self.check_schema(dialect, kind, &rest, out);
        }
        self.check_rules(on, kind, payload, out);
        out.extend(client.findings);
        if matches!(
            kind,
            PayloadKind::J2CompleteResponse
                | PayloadKind::JambaChatResponse
                | PayloadKind::JambaChatStreamChunk
                | PayloadKind::ErrorResponse
        ) {
            drift::unknown_fields(self.plan_in(dialect, kind), payload, out);
        }
    }

    /// [`Validator::check`] the fast way, on a tape: the same findings, or `Err` when they
    /// could differ. It gives up on a payload its schema rejects (the full check explains
    /// why) or that the fast schema check cannot decide, on a client rule's finding (the
    /// schema is checked without the fields it claims), and on a drift warning for an
    /// undeclared field (a tape lists members as written, a `Value` sorted, and the
    /// warnings would come in another order). The API rules are the same code as the full
    /// check's.
    ///
    /// On a `Value` it saves the full check's `jsonschema` run and drift walk (the stream
    /// check tries it on each chunk first); on `Err` nothing was added to `out`.
    pub(crate) fn check_fast<'v>(
        &self,
        on: On<'_>,
        kind: PayloadKind,
        payload: impl View<'v>,
        out: &mut Vec<Finding>,
    ) -> Result<(), Defer> {
        let index = self.slot(on.dialect, kind);
        let (valid, drift) = self.fast[index].check_drift(payload);
        if valid != Some(true) {
            return Err(Defer);
        }
        if drift
            && matches!(
                kind,
                PayloadKind::J2CompleteResponse
                    | PayloadKind::JambaChatResponse
                    | PayloadKind::JambaChatStreamChunk
                    | PayloadKind::ErrorResponse
            )
        {
            return Err(Defer);
        }
        let client = client::check(kind, payload);
        if !client.findings.is_empty() || !client.claimed.is_empty() {
            return Err(Defer);
        }
        self.check_rules(on, kind, payload, out);
        Ok(())
    }

    /// The schema findings for one payload.
    pub(crate) fn check_schema(
        &self,
        dialect: Dialect,
        kind: PayloadKind,
        payload: &Value,
        out: &mut Vec<Finding>,
    ) {
        // The fast checks first: most captured payloads are valid, and collecting errors
        // costs more than deciding validity. The compiled plan decides as `jsonschema`
        // does, faster; what it cannot decide, `jsonschema` does.
        let slot = self.slot(dialect, kind);
        let compiled = &self.compiled[slot];
        match self.fast[slot].check_drift(payload).0 {
            Some(true) => return,
            Some(false) => {}
            None if compiled.is_valid(payload) => return,
            None => {}
        }
        let start = out.len();
        for error in compiled.iter_errors(payload) {
            explain::explain(self.schemas[slot], &error, out);
        }
        if let Some(patch) = dialect.patch(kind) {
            for finding in &mut out[start..] {
                if let Some(note) = finding
                    .schema_pointer
                    .as_deref()
                    .and_then(|pointer| overlay_note(patch, pointer))
                {
                    finding.message = format!("{} ({note})", finding.message);
                }
            }
        }
    }

    /// The API rule findings for one payload; a model it names is looked up on `on`'s
    /// platform, at its time.
    pub(crate) fn check_rules<'v>(
        &self,
        on: On<'_>,
        kind: PayloadKind,
        payload: impl View<'v>,
        out: &mut Vec<Finding>,
    ) {
        match kind {
            PayloadKind::J2CompleteRequest => j2::request(payload, on, out),
            PayloadKind::J2CompleteResponse => j2::response(payload, out),
            PayloadKind::JambaChatRequest => jamba::request(payload, &self.defaults, on, out),
            PayloadKind::JambaChatResponse => jamba::response(payload, on, out),
            PayloadKind::JambaChatStreamChunk => jamba::chunk(payload, out),
            PayloadKind::ErrorResponse => {}
        }
    }
}

/// A payload's representation, which decides how it is checked: a `serde_json::Value` in
/// full (schema errors explained, client rules, drift), a tape node the fast way, which
/// gives up ([`Payload::Defer`]) wherever its findings could differ from the full check's.
///
/// The API rules, the pairing rules and the drift walk are the same code for both, written
/// against [`View`].
pub(crate) trait Payload<'v>: View<'v> {
    /// Why the check gave up: nothing for the full check, which never does.
    type Defer;

    /// Schema, rules and drift for one payload of `kind`, appended to `out` with
    /// [`Target::Payload`].
    fn check(
        self,
        validator: &Validator,
        on: On<'_>,
        kind: PayloadKind,
        out: &mut Vec<Finding>,
    ) -> Result<(), Self::Defer>;
}

/// Where and when a payload was sent: the dialect whose schemas it is checked against, and
/// the capture's timestamp, against which model lifecycles are dated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct On<'t> {
    pub(crate) dialect: Dialect,
    pub(crate) timestamp: Option<&'t str>,
}

impl On<'static> {
    /// `dialect`, at no known time (today).
    pub(crate) fn dialect(dialect: Dialect) -> On<'static> {
        On {
            dialect,
            timestamp: None,
        }
    }
}

/// The fast check gave up: the full check runs instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Defer;

impl<'v> Payload<'v> for TapeRef<'v> {
    type Defer = Defer;

    fn check(
        self,
        validator: &Validator,
        on: On<'_>,
        kind: PayloadKind,
        out: &mut Vec<Finding>,
    ) -> Result<(), Self::Defer> {
        validator.check_fast(on, kind, self, out)
    }
}

impl<'v> Payload<'v> for &'v Value {
    type Defer = std::convert::Infallible;

    fn check(
        self,
        validator: &Validator,
        on: On<'_>,
        kind: PayloadKind,
        out: &mut Vec<Finding>,
    ) -> Result<(), Self::Defer> {
        validator.check(on, kind, self, out);
        Ok(())
    }
}

/// What a dialect's overlay says about the schema node a finding's keyword belongs to: the
/// `description` of the deepest node on the keyword's path that the overlay's patch
/// changes, when the patch reaches the keyword's own node (a finding about a part of the
/// schema the dialect did not change gets no note).
fn overlay_note<'p>(patch: &'p Value, schema_pointer: &str) -> Option<&'p str> {
    let segments: Vec<String> = crate::pointer::segments(schema_pointer).collect();
    let (_keyword, node) = segments.split_last()?;
    let mut at = patch;
    let mut note = at.get("description").and_then(Value::as_str);
    for segment in node {
        at = at.get(segment.as_str())?;
        if let Some(description) = at.get("description").and_then(Value::as_str) {
            note = Some(description);
        }
    }
    note
}

/// Removes the value at a JSON Pointer, if there is one.
pub(crate) fn remove_pointer(value: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let last = last.replace("~1", "/").replace("~0", "~");
    match value.pointer_mut(parent) {
        Some(Value::Object(object)) => {
            object.remove(&last);
        }
        Some(Value::Array(items)) => {
            if let Ok(index) = last.parse::<usize>()
                && index < items.len()
            {
                items.remove(index);
            }
        }
        _ => {}
    }
}

/// Sets the target of every finding of `findings` (callers pass the slice they added).
pub(crate) fn retarget(findings: &mut [Finding], target: Target) {
    for finding in findings {
        finding.target = target;
    }
}

#[cfg(test)]
mod tests;
