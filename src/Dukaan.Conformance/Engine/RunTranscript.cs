using Dukaan.Simulator;

namespace Dukaan.Conformance.Engine;

/// <summary>
/// The transcript of one run as the settings ask for it (how much stays in memory, which file gets every exchange),
/// and the note that keeps the report honest when memory did not hold everything.
/// </summary>
public static class RunTranscript
{
    /// <summary>The name of the complete, redacted transcript in a report folder.</summary>
    public const string FileName = "transcript.jsonl";

    /// <param name="peer">The direction the party under test initiates: only its exchanges are evicted.</param>
    public static Transcript Create(RunSettings settings, Direction peer = Direction.AgentToPlatform) => new()
    {
        Capacity = settings.TranscriptCapacity,
        PeerDirection = peer,
        Log = settings.TranscriptFile is { } file ? TranscriptLog.Create(file) : null,
    };

    /// <summary>What the report must say about exchanges the rules could not see, or null when memory held them all.</summary>
    /// <param name="party">Who floods: "agent", "platform", "receiver"…</param>
    public static string? Note(Transcript transcript, string party)
    {
        var parts = new List<string>();
        if (transcript.Evicted > 0)
        {
            var where = transcript.Log is null
                ? "they are not kept anywhere (the run had no transcript file)."
                : $"every exchange is in {FileName} beside this report.";
            parts.Add($"The {party} made so many requests that the transcript's memory filled up: the newest {transcript.Capacity} of its exchanges " +
                $"and every exchange the harness started stayed in memory for the rules, {transcript.Evicted} older ones were evicted from memory " +
                $"(a rule judged after they went did not see them); {where}");
        }
        if (transcript.Log is { Error: { } error } log)
            parts.Add($"The transcript file is incomplete: {log.Lost} exchanges could not be written ({error}).");
        return parts.Count == 0 ? null : string.Join(" ", parts);
    }
}

/// <summary>Copies a run's raw transcript file into its report folder with every secret masked.</summary>
public static class TranscriptExport
{
    /// <summary>
    /// Writes <paramref name="destination"/> from the raw JSON Lines file, line by line (an hour-long run need not fit in
    /// memory), masking secrets in every string value as results.json does; returns the number of lines written.
    /// </summary>
    /// <remarks>
    /// The raw file was written without HTML escaping, so a secret of printable characters other than a quote or a
    /// backslash appears in a line exactly as it is: a line that holds none is copied untouched; any other is parsed and
    /// its string values masked one by one, so an escaped form cannot slip through.
    /// </remarks>
    public static long WriteRedacted(string rawPath, string destination, IEnumerable<string> secrets)
    {
        var list = secrets.Where(s => !string.IsNullOrEmpty(s)).ToList();
        var redactor = new Redactor(list);
        var parseEveryLine = list.Any(s => s.Any(c => c is '"' or '\\' || char.IsControl(c) || c > '~'));
        var temp = destination + ".tmp";
        long lines = 0;
        using (var writer = new StreamWriter(temp, append: false, new System.Text.UTF8Encoding(false)))
        {
            foreach (var line in File.ReadLines(rawPath))
            {
                writer.Write(parseEveryLine || redactor.Touches(line) ? Redact(line, redactor) : line);
                writer.Write('\n');
                lines++;
            }
        }
        File.Move(temp, destination, overwrite: true);
        return lines;
    }

    private static string Redact(string line, Redactor redactor)
    {
        if (System.Text.Json.Nodes.JsonNode.Parse(line) is not { } node) return line;
        Mask(node, redactor);
        return node.ToJsonString(TranscriptLog.JsonOptions);
    }

    private static void Mask(System.Text.Json.Nodes.JsonNode node, Redactor redactor)
    {
        switch (node)
        {
            case System.Text.Json.Nodes.JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (child is System.Text.Json.Nodes.JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String)
                        obj[name] = redactor.Apply(value.GetValue<string>());
                    else if (child is not null)
                        Mask(child, redactor);
                }
                break;
            case System.Text.Json.Nodes.JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is System.Text.Json.Nodes.JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String)
                        array[i] = redactor.Apply(value.GetValue<string>());
                    else if (array[i] is { } child)
                        Mask(child, redactor);
                }
                break;
        }
    }
}
