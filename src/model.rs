//! The Secretfile model: what a `Secretfile.yml` declares.
//!
//! Field names, defaults and shapes follow the reference CLI (SecretZero 0.14.23). Loosely
//! typed blocks (`config`, `variables`, `policies`, ...) are kept as JSON values in document
//! order. These types are built by [`crate::parse`] (which reports every problem with its
//! line and column) and serialize to the same shape JS receives.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// A free-form JSON value (YAML scalars as PyYAML reads them: `yes` is `true`, `0755` is 493).
pub type Data = serde_json::Value;
/// A free-form mapping, in document order.
pub type DataMap = serde_json::Map<String, Data>;

fn is_false(b: &bool) -> bool {
    !*b
}

fn default_true() -> bool {
    true
}

/// A whole Secretfile.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Secretfile {
    /// Values for `${NAME}` and `{{ var.NAME }}` interpolation. Values may themselves use
    /// `${ENV_VAR:-default}` and refer to earlier variables.
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>"))]
    pub variables: DataMap,
    /// Descriptive project metadata (`project`, `owner`, `environments`, `compliance`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "wasm",
        tsify(type = "Record<string, unknown> | null", optional)
    )]
    pub metadata: Option<DataMap>,
    /// Environment lanes: a default lane and per-lane var files, lockfile and target profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub environments: Option<Environments>,
    /// Named overrides deep-merged into target configurations when selected by a lane.
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, TargetProfile>"))]
    pub target_profiles: IndexMap<String, TargetProfile>,
    /// Provider instances by alias (`aws`, `vault`, ...). `local` needs no entry.
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, Provider>"))]
    pub providers: IndexMap<String, Provider>,
    /// The secrets this project needs, in order.
    pub secrets: Vec<Secret>,
    /// Multi-field secret templates, used with `kind: templates.<name>`.
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, Template>"))]
    pub templates: IndexMap<String, Template>,
    /// Rotation, compliance, access and provider-identity policies by name.
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>"))]
    pub policies: DataMap,
    /// Free-form labels (not used by sync).
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>"))]
    pub labels: DataMap,
    /// Free-form annotations (not used by sync).
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>"))]
    pub annotations: DataMap,
    /// Application settings of the reference CLI (LLM, discovery, output); not used by sync.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(type = "unknown", optional))]
    pub config: Option<Data>,
    /// Agent settings (`mode`, web port range).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub agent: Option<AgentConfig>,
}

/// Environment lanes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Environments {
    /// The lane used when none is selected with `-e`. Must name a profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub default: Option<String>,
    /// Lanes by name.
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, EnvironmentProfile>"))]
    pub profiles: IndexMap<String, EnvironmentProfile>,
}

/// One environment lane.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct EnvironmentProfile {
    /// Variable files (YAML maps) merged into `variables`, relative to the Secretfile.
    pub var_files: Vec<String>,
    /// Lockfile path for this lane, relative to the Secretfile.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub lockfile: Option<String>,
    /// Name of the target profile applied in this lane.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub target_profile: Option<String>,
}

/// Overrides applied to targets when a lane selects this profile.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct TargetProfile {
    /// Policies appended to every target's `identity_policies`.
    pub identity_policies: Vec<String>,
    /// Config overrides by provider alias, deep-merged into matching targets' `config`.
    #[cfg_attr(
        feature = "wasm",
        tsify(type = "Record<string, Record<string, unknown>>")
    )]
    pub provider_overrides: IndexMap<String, DataMap>,
    /// Config overrides by target kind, deep-merged into matching targets' `config`.
    #[cfg_attr(
        feature = "wasm",
        tsify(type = "Record<string, Record<string, unknown>>")
    )]
    pub target_overrides: IndexMap<String, DataMap>,
}

/// A provider instance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Provider {
    /// Provider kind (`aws`, `vault`, ...); the alias is used when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub kind: Option<String>,
    /// Authentication settings (`kind`: ambient, token, profile, static, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>", optional))]
    pub auth: Option<DataMap>,
    /// Provider settings.
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>"))]
    pub config: DataMap,
    /// Generator suggested when the provider is unavailable (informational).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub fallback_generator: Option<String>,
}

/// A multi-field secret template (`kind: templates.<name>`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Template {
    /// What the template is for.
    pub description: String,
    /// Fields by name; each is generated by its own generator.
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, TemplateField>"))]
    pub fields: IndexMap<String, TemplateField>,
    /// Targets applied to every field, after the field's own targets.
    pub targets: Vec<Target>,
}

/// One field of a [`Template`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct TemplateField {
    /// What the field holds.
    pub description: String,
    /// How the field's value is produced.
    pub generator: GeneratorSpec,
    /// Targets of this field.
    pub targets: Vec<Target>,
}

/// A generator reference inside a template field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
#[cfg_attr(feature = "schema", schemars(transform = crate::schema::generator_rules))]
pub struct GeneratorSpec {
    /// Generator kind (`random_password`, `static`, ...).
    #[cfg_attr(
        feature = "schema",
        schemars(schema_with = "crate::schema::secret_kind")
    )]
    pub kind: String,
    /// Generator options.
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>"))]
    pub config: DataMap,
}

/// Agent settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct AgentConfig {
    /// How pending secrets are collected: `auto` (default), `human` or `web`.
    pub mode: AgentMode,
    /// Lowest port of the local web form (1024–65535). Default 49152.
    #[cfg_attr(feature = "schema", schemars(range(min = 1024, max = 65535)))]
    pub web_port_min: u16,
    /// Highest port of the local web form (1024–65535). Default 65535.
    #[cfg_attr(feature = "schema", schemars(range(min = 1024, max = 65535)))]
    pub web_port_max: u16,
}

impl Default for AgentConfig {
    fn default() -> Self {
        AgentConfig {
            mode: AgentMode::Auto,
            web_port_min: 49152,
            web_port_max: 65535,
        }
    }
}

/// `agent.mode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum AgentMode {
    /// Report pending secrets and return.
    #[default]
    Auto,
    /// Same as `auto` (a label for human-driven runs).
    Human,
    /// Collect pending values through a local web form.
    Web,
}

impl AgentMode {
    /// The mode's name as written in a Secretfile.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentMode::Auto => "auto",
            AgentMode::Human => "human",
            AgentMode::Web => "web",
        }
    }
}

/// One secret.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(transform = crate::schema::generator_rules))]
pub struct Secret {
    /// Identifier: the lockfile key and the default key in file targets. Required.
    #[cfg_attr(feature = "schema", schemars(required))]
    pub name: String,
    /// Generator kind (`random_password`, `random_string`, `uuid`, `static`, `script`,
    /// `provider_backed`, `templates.<name>`, ...). Required.
    #[cfg_attr(feature = "schema", schemars(required))]
    #[cfg_attr(
        feature = "schema",
        schemars(schema_with = "crate::schema::secret_kind")
    )]
    pub kind: String,
    /// Generator options.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>"))]
    pub config: DataMap,
    /// Free-form variables shown by tooling (not used for interpolation).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>"))]
    pub vars: DataMap,
    /// A non-generator value source (`file`, `env`, `secret_ref`, `provider_read`).
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>", optional))]
    pub source: Option<DataMap>,
    /// Once recorded in the lockfile, never regenerated. Default false.
    #[serde(default)]
    #[serde(skip_serializing_if = "is_false")]
    pub one_time: bool,
    /// Rotation period (`90d`, `12w`, `6m`, `1y`), recorded for `rotate`.
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub rotation_period: Option<String>,
    /// Where the value is stored.
    #[serde(default)]
    pub targets: Vec<Target>,
    /// How a person or an agent obtains the value when it cannot be generated.
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub agent_instructions: Option<AgentInstructions>,
    /// Labels for graphs and policies.
    #[serde(default)]
    pub process_tags: Vec<String>,
    /// Workstation-only secret, recorded in `.gitsecrets.local.lock`. Default false.
    #[serde(default)]
    #[serde(skip_serializing_if = "is_false")]
    pub local: bool,
    /// Allow a `local` secret to target cloud stores. Default false.
    #[serde(default)]
    #[serde(skip_serializing_if = "is_false")]
    pub local_allow_cloud: bool,
}

/// Where a secret is stored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(transform = crate::schema::target_rules))]
pub struct Target {
    /// Provider alias (`local` for files and templates). Required.
    #[cfg_attr(feature = "schema", schemars(required))]
    #[cfg_attr(feature = "schema", schemars(extend("examples" = ["local", "aws", "vault"])))]
    pub provider: String,
    /// Target kind (`file`, `template`, `ssm_parameter`, ...). Required.
    #[cfg_attr(feature = "schema", schemars(required))]
    #[cfg_attr(feature = "schema", schemars(extend("examples" = ["file", "template", "ssm_parameter", "secrets_manager"])))]
    pub kind: String,
    /// Target options (`path`, `format`, `key`, `merge` for `local/file`).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>"))]
    pub config: DataMap,
    /// Provider-identity policies that must hold for this target.
    #[serde(default)]
    pub identity_policies: Vec<String>,
}

/// Step-by-step instructions for obtaining a secret that needs a person.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AgentInstructions {
    /// Brief overview of the acquisition process. Required.
    #[cfg_attr(feature = "schema", schemars(required))]
    pub summary: String,
    /// Ordered steps. Required (may be empty).
    #[cfg_attr(feature = "schema", schemars(required))]
    pub steps: Vec<Step>,
    /// Requirements before starting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub prerequisites: Option<Vec<String>>,
    /// Guidance on automation feasibility ("Manual only – requires email verification").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub automation_hint: Option<String>,
    /// Expected time to complete ("5-10 minutes").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub estimated_time: Option<String>,
    /// What to do if automation fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub fallback: Option<String>,
    /// CLI tools or dependencies needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub required_tools: Option<Vec<String>>,
    /// Link to official documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub documentation_url: Option<String>,
    /// Explicit automation level (extension of this implementation; overrides the hint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub automation_level: Option<AutomationLevel>,
}

/// One instruction step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Step {
    /// CLI command, URL, or description of what to do. Required.
    #[cfg_attr(feature = "schema", schemars(required))]
    pub action: String,
    /// Human-readable context explaining why. Required.
    #[cfg_attr(feature = "schema", schemars(required))]
    pub description: String,
    /// Optional key-value parameters for API calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>", optional))]
    pub params: Option<DataMap>,
    /// Whether the step is mandatory. Default true.
    #[serde(default = "default_true")]
    pub required: bool,
}

/// How much of a secret's acquisition can run without a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AutomationLevel {
    /// No person needed.
    FullyAutomated,
    /// An agent can do parts; a person approves or supplies something.
    SemiAutomated,
    /// A person does it all (sign-ups, email verification, browser-only flows).
    ManualOnly,
    /// Automatable, but blocked by policy until someone approves.
    RequiresApproval,
}

impl AutomationLevel {
    /// Every level, in the order reports list them.
    pub const ALL: [AutomationLevel; 4] = [
        AutomationLevel::FullyAutomated,
        AutomationLevel::SemiAutomated,
        AutomationLevel::ManualOnly,
        AutomationLevel::RequiresApproval,
    ];

    /// The level's name (`fully_automated`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            AutomationLevel::FullyAutomated => "fully_automated",
            AutomationLevel::SemiAutomated => "semi_automated",
            AutomationLevel::ManualOnly => "manual_only",
            AutomationLevel::RequiresApproval => "requires_approval",
        }
    }

    /// Parse a level name.
    pub fn parse(s: &str) -> Option<Self> {
        AutomationLevel::ALL.into_iter().find(|l| l.as_str() == s)
    }
}
