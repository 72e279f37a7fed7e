using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dukaan.Conformance;

[JsonConverter(typeof(JsonStringEnumConverter<RuleLevel>))]
public enum RuleLevel
{
    [JsonStringEnumMemberName("MUST")] Must,
    [JsonStringEnumMemberName("SHOULD")] Should,
    [JsonStringEnumMemberName("INFO")] Info,
}

[JsonConverter(typeof(JsonStringEnumConverter<Verdict>))]
public enum Verdict
{
    [JsonStringEnumMemberName("pass")] Pass,
    [JsonStringEnumMemberName("fail")] Fail,
    [JsonStringEnumMemberName("warn")] Warn,
    [JsonStringEnumMemberName("not-exercised")] NotExercised,
    [JsonStringEnumMemberName("harness-error")] HarnessError,

    /// <summary>
    /// The target does not declare what the rule is about (chat rules for a listing without chat, decision 15): neither
    /// pass nor fail, and it never keeps a run from certifying. Never used to hide a missing stimulus.
    /// </summary>
    [JsonStringEnumMemberName("not-applicable")] NotApplicable,
}

/// <summary>The top line of a run: what a CI gate reads.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Outcome>))]
public enum Outcome
{
    [JsonStringEnumMemberName("certified")] Certified,
    [JsonStringEnumMemberName("not-certified")] NotCertified,
    [JsonStringEnumMemberName("harness-error")] HarnessError,
    [JsonStringEnumMemberName("nothing-selected")] NothingSelected,

    /// <summary>Ctrl+C or SIGTERM ended the run early; what was judged by then stands, the rest is not-exercised.</summary>
    [JsonStringEnumMemberName("interrupted")] Interrupted,
}

/// <summary>results.json: the source of truth every other report is rendered from. Versioned by <see cref="SchemaVersion"/>.</summary>
public sealed record RunResults(
    int SchemaVersion,
    string HarnessVersion,
    string ContractVersion,
    string Profile,
    TargetInfo Target,
    DateTimeOffset StartedAt,
    long DurationMs,
    int Seed,
    bool Strict,
    string? RuleSelection,
    Outcome Outcome,
    int ExitCode,
    Summary Summary,
    IReadOnlyList<RuleResult> Rules,
    IReadOnlyList<ScenarioTimeline> Scenarios,
    IReadOnlyList<string> Notes,
    string? ProfileTitle = null,
    IReadOnlyList<string>? SeedReferences = null)
{
    /// <summary>The profile's title for headlines; runs written before profiles had titles were all AgentDukaan's.</summary>
    [JsonIgnore]
    public string Title => ProfileTitle ?? "AgentDukaan conformance";

    public const int CurrentSchemaVersion = 1;
}

public sealed record TargetInfo(
    string Kind,
    string Description,
    string? Command,
    string? WorkDir,
    string? AgentUrl,
    string WebhookPath,
    string? TriggerUrl);

/// <param name="NotApplicable">Zero in results written before the verdict existed.</param>
public sealed record Summary(int Pass, int Fail, int Warn, int NotExercised, int HarnessError, int NotApplicable = 0)
{
    public static Summary Of(IEnumerable<RuleResult> rules)
    {
        var list = rules.ToList();
        int Count(Verdict v) => list.Count(r => r.Verdict == v);
        return new(Count(Verdict.Pass), Count(Verdict.Fail), Count(Verdict.Warn), Count(Verdict.NotExercised), Count(Verdict.HarnessError), Count(Verdict.NotApplicable));
    }
}

public sealed record RuleResult(
    string Id,
    RuleLevel Level,
    string Area,
    string Title,
    string Statement,
    string SeedReference,
    Verdict Verdict,
    Evidence Evidence);

/// <summary>Why a verdict was reached, in the shape h2spec and Autobahn use: expected, observed, the wire, one command to rerun.</summary>
/// <param name="Scanned">
/// What the rule scanned of the target's own output and files (decision 32): a pass judged on a scan cites this as
/// others cite the transcript. Absent when the rule scanned nothing, and in results written before it existed.
/// </param>
public sealed record Evidence(
    string Expected,
    string Observed,
    string? Diagnosis,
    IReadOnlyList<TranscriptEntry> Transcript,
    string RerunCommand,
    IReadOnlyList<string> Scenarios,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ScanCount>? Scanned = null);

/// <summary>How much of one kind of output a scan covered: 5 210 "characters of stdout/stderr", 3 "files".</summary>
public sealed record ScanCount(long Count, string What);

public sealed record TranscriptEntry(
    long Seq,
    DateTimeOffset At,
    double OffsetMs,
    string Direction,
    string Kind,
    string? SubscriptionId,
    string Method,
    string Url,
    int? Status,
    double DurationMs,
    IReadOnlyDictionary<string, string> RequestHeaders,
    string RequestBody,
    IReadOnlyDictionary<string, string> ResponseHeaders,
    string ResponseBody,
    string? Error,
    string? Note);

/// <summary>What one scenario did over time, for the timeline picture.</summary>
/// <param name="Chats">The in-app conversations of the scenario's buyers as each buyer saw them; absent when there were none.</param>
public sealed record ScenarioTimeline(string Name, string Description, double StartMs, double EndMs, IReadOnlyList<TimelineEvent> Events,
    IReadOnlyList<ChatTranscript>? Chats = null);

/// <summary>One buyer's conversation (002 §6) at the end of the run, in the order the bubbles appeared.</summary>
public sealed record ChatTranscript(string SubscriptionId, bool Muted, string? State, IReadOnlyList<ChatBubbleView> Bubbles);

/// <summary>
/// A bubble as the buyer's chat window shows it. <see cref="From"/> is "buyer", "agent" (a reply) or "push". A replaced
/// bubble shows its last text, with <see cref="Edits"/> and the texts it replaced; a muted push never reached the buyer.
/// <see cref="Blocks"/> is the raw ChatBlock JSON the agent sent, for the report to draw simply.
/// </summary>
public sealed record ChatBubbleView(double AtMs, string From, string? Text, JsonElement? Blocks, string? ReplyTo, int Edits, IReadOnlyList<string> EarlierTexts,
    bool MutedPush, string? Category, string? Attachment);

/// <summary>
/// One mark on a scenario's timeline. <see cref="Lane"/> is one of "platform→agent", "agent→platform", "agent→provider", "harness".
/// </summary>
public sealed record TimelineEvent(double AtMs, double DurationMs, string Lane, string Kind, string Label, int? Status);

public static class ResultsJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(RunResults results) => JsonSerializer.Serialize(results, Options);

    /// <summary>Reads a results.json, refusing other schema versions with a message that says what to do.</summary>
    public static RunResults Deserialize(string json, string source)
    {
        RunResults? results;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (!doc.RootElement.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number)
                throw new ResultsFormatException($"{source} has no numeric \"schemaVersion\": it is not a DukaanConformance results.json.");
            if (version.GetInt32() != RunResults.CurrentSchemaVersion)
                throw new ResultsFormatException($"{source} has schemaVersion {version.GetInt32()}; this harness reads version {RunResults.CurrentSchemaVersion}. Re-render it with the harness version that wrote it.");
            results = doc.RootElement.Deserialize<RunResults>(Options);
        }
        catch (JsonException ex)
        {
            throw new ResultsFormatException($"{source} is not valid results JSON: {ex.Message}");
        }
        return results ?? throw new ResultsFormatException($"{source} is empty.");
    }
}

public sealed class ResultsFormatException(string message) : Exception(message);
