//! How the suite's requests say who sends them, in each dialect: AI21 Studio's API key and
//! a Google OAuth access token (Vertex) as `Authorization: Bearer`, an Azure AI
//! deployment's key as `api-key`, and AWS Signature Version 4 for Bedrock, made by
//! `aws-sigv4`, the AWS SDK's own signer.
//!
//! Every secret is held in an [`ApiKey`], whose `Debug` and `Display` print `[redacted]`;
//! the headers made from them are marked sensitive when they are sent, and the runner
//! records none of them (a recording holds the `Content-Type` of a request only).

use std::fmt;
use std::time::SystemTime;

use ai21_capture::redact::ApiKey;

/// The environment variable of an AWS access key id.
pub const AWS_ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
/// The environment variable of an AWS secret access key.
pub const AWS_SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
/// The environment variable of an AWS session token (temporary credentials), optional.
pub const AWS_SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
/// The SigV4 service name of Bedrock's runtime API (`bedrock-runtime.{region}...`), as the
/// AWS SDKs and the AI21 SDK's Bedrock client sign it.
pub const BEDROCK_SERVICE: &str = "bedrock";

/// What a request of the suite is sent with (a request of a case without a key is sent
/// without it).
#[derive(Debug, Clone)]
pub enum Credentials {
    /// `Authorization: Bearer <token>`: AI21 Studio's API key, or a Google OAuth access
    /// token for Vertex.
    Bearer(ApiKey),
    /// `api-key: <key>`: an Azure AI deployment's key.
    AzureKey(ApiKey),
    /// AWS Signature Version 4: Bedrock.
    SigV4(SigV4),
}

impl Credentials {
    /// The headers that authenticate a request with `body` sent as `method` to `url`
    /// (absolute, query included), whose other headers are `headers` (lowercase names;
    /// SigV4 signs them, with the host and the time).
    pub fn headers(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Vec<(String, String)>, SigningError> {
        match self {
            Credentials::Bearer(token) => Ok(vec![(
                "authorization".to_owned(),
                format!("Bearer {}", token.expose()),
            )]),
            Credentials::AzureKey(key) => Ok(vec![("api-key".to_owned(), key.expose().to_owned())]),
            Credentials::SigV4(signer) => signer.sign(method, url, headers, body),
        }
    }
}

/// AWS credentials, and the region and service a request is signed for.
///
/// Read from the standard environment ([`SigV4::from_env`]: [`AWS_ACCESS_KEY_ID`],
/// [`AWS_SECRET_ACCESS_KEY`], [`AWS_SESSION_TOKEN`]); profiles, SSO and instance roles are
/// not read (`aws configure export-credentials --format env` puts any of them in the
/// environment).
#[derive(Clone)]
pub struct SigV4 {
    access_key_id: ApiKey,
    secret_access_key: ApiKey,
    session_token: Option<ApiKey>,
    region: String,
    service: String,
    time: Option<SystemTime>,
}

impl SigV4 {
    /// Credentials for Bedrock ([`BEDROCK_SERVICE`]) in `region`, signing at the time of
    /// each request.
    pub fn new(
        access_key_id: ApiKey,
        secret_access_key: ApiKey,
        session_token: Option<ApiKey>,
        region: impl Into<String>,
    ) -> SigV4 {
        SigV4 {
            access_key_id,
            secret_access_key,
            session_token,
            region: region.into(),
            service: BEDROCK_SERVICE.to_owned(),
            time: None,
        }
    }

    /// Credentials for Bedrock in `region` from the environment: [`AWS_ACCESS_KEY_ID`] and
    /// [`AWS_SECRET_ACCESS_KEY`] must be set, [`AWS_SESSION_TOKEN`] is used when it is set
    /// and not blank. The error names the variable that is missing.
    pub fn from_env(region: impl Into<String>) -> ai21_capture::Result<SigV4> {
        let access_key_id = ApiKey::from_env(AWS_ACCESS_KEY_ID)?;
        let secret_access_key = ApiKey::from_env(AWS_SECRET_ACCESS_KEY)?;
        let session_token = match ApiKey::from_env(AWS_SESSION_TOKEN) {
            Ok(token) => Some(token),
            // Unset or blank: long-term credentials. A value that is not UTF-8 is an error.
            Err(ai21_capture::Error::ApiKeyMissing { .. }) => None,
            Err(ai21_capture::Error::ApiKeyInvalid {
                problem: "empty", ..
            }) => None,
            Err(error) => return Err(error),
        };
        Ok(SigV4::new(
            access_key_id,
            secret_access_key,
            session_token,
            region,
        ))
    }

    /// The same credentials for another SigV4 service name.
    pub fn with_service(mut self, service: impl Into<String>) -> SigV4 {
        self.service = service.into();
        self
    }

    /// The same credentials signing every request at `time` instead of the time it is
    /// sent: a signature is then a function of the request alone, for tests.
    pub fn at(mut self, time: SystemTime) -> SigV4 {
        self.time = Some(time);
        self
    }

    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The SigV4 service name requests are signed for.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Signs a request with `aws_sigv4::http_request::sign` (default settings: the path
    /// encoded twice, as every AWS service but S3 wants, the payload hashed into the
    /// signature but not sent as a header, a session token signed): the headers to add,
    /// `authorization` and `x-amz-date`, and `x-amz-security-token` with a session token.
    ///
    /// `headers` are the request's other headers, all signed along with `host` (taken from
    /// `url`); sending other headers unsigned is allowed.
    pub fn sign(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Vec<(String, String)>, SigningError> {
        use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
        use aws_sigv4::sign::v4;

        let identity = aws_credential_types::Credentials::new(
            self.access_key_id.expose(),
            self.secret_access_key.expose(),
            self.session_token
                .as_ref()
                .map(|token| token.expose().to_owned()),
            None,
            "ai21-contract",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(&self.service)
            .time(self.time.unwrap_or_else(SystemTime::now))
            .settings(SigningSettings::default())
            .build()
            .map_err(|error| SigningError(format!("signing parameters: {error}")))?
            .into();
        let request = SignableRequest::new(
            method,
            url,
            headers.iter().copied(),
            SignableBody::Bytes(body),
        )
        .map_err(|error| SigningError(error.to_string()))?;
        let (instructions, _signature) = sign(request, &params)
            .map_err(|error| SigningError(error.to_string()))?
            .into_parts();
        Ok(instructions
            .headers()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect())
    }
}

impl fmt::Debug for SigV4 {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SigV4")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .field("region", &self.region)
            .field("service", &self.service)
            .field("time", &self.time)
            .finish()
    }
}

/// Why a request could not be signed (the message never holds a credential).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningError(String);

impl fmt::Display for SigningError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "signing the request with SigV4: {}", self.0)
    }
}

impl std::error::Error for SigningError {}

#[cfg(test)]
mod tests;
