using System.Text;
using Dukaan.Conformance.Engine;

namespace Dukaan.Conformance.Tests;

public sealed class SecretHandlingTests
{
    private const string Canary = "sk-dkcanaryAbC123xyz0987654321";

    [TestCase("plain")]
    [TestCase("base64")]
    [TestCase("base64url")]
    [TestCase("hex")]
    [TestCase("HEX")]
    public void Scanner_finds_each_encoding_in_text(string form)
    {
        var encoded = SecretScanner.Forms(Canary).Single(f => f.Form == form).Value;
        var hits = new SecretScanner([Canary]).InText($"log line: token={encoded} done", "log").ToList();
        Assert.That(hits.Select(h => h.Secret), Is.EqualTo(new[] { Canary }));
    }

    /// <summary>
    /// A platform that base64s a whole config puts the secret at whatever byte offset the JSON before it leaves; each
    /// offset modulo 3 encodes it differently. The canary's 28 characters are no multiple of 3, so even at offset 0 its
    /// last base64 character is shared with the quote after it.
    /// </summary>
    [TestCase(0, false)]
    [TestCase(1, false)]
    [TestCase(2, false)]
    [TestCase(0, true)]
    [TestCase(1, true)]
    [TestCase(2, true)]
    public void Scanner_finds_a_secret_at_each_offset_inside_a_larger_base64_document(int offset, bool url)
    {
        const string canary = "sk-dkcanaryAbC123xyz09876543";
        var before = "{\"config\":{\"business_name\":\"Acme\",\"openai_api_key\":\"";
        before += new string('x', ((offset - before.Length) % 3 + 3) % 3);
        var document = Encoding.UTF8.GetBytes(before + canary + "\",\"language\":\"hinglish\"}}");
        var encoded = Convert.ToBase64String(document);
        if (url) encoded = encoded.TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.That(before.Length % 3, Is.EqualTo(offset));
        var hits = new SecretScanner([canary]).InText($"{{\"configBlob\":\"{encoded}\"}}", "delivery").ToList();
        Assert.That(hits.Select(h => h.Secret), Is.EqualTo(new[] { canary }), encoded);
        Assert.That(new Redactor([canary]).Touches(encoded), Is.True, "the redactor masks what the scanner finds");
    }

    [TestCase("sk-with+plus/slash", "JSON-escaped", "sk-with\\u002Bplus/slash")]
    [TestCase("key with spaces&more", "form-encoded", "key+with+spaces%26more")]
    [TestCase("sk-with+plus/slash", "url-encoded, lowercase", "sk-with%2bplus%2fslash")]
    public void Scanner_finds_escaped_and_encoded_forms(string secret, string form, string expected)
    {
        Assert.That(SecretScanner.Forms(secret).Single(f => f.Form == form).Value, Is.EqualTo(expected));
        Assert.That(new SecretScanner([secret]).InText($"body: {expected}.", "delivery").Single().Secret, Is.EqualTo(secret));
    }

    [Test]
    public void Scanner_finds_nothing_in_clean_text_and_ignores_too_short_values()
    {
        Assert.That(new SecretScanner([Canary]).InText("config fetched for sub_1 (fields: openai_api_key)", "log"), Is.Empty);
        Assert.That(new SecretScanner(["abc"]).InText("abc abc", "log"), Is.Empty);
    }

    [Test]
    public void Scanner_finds_secrets_in_binary_and_utf16_files_and_skips_empty_ones()
    {
        var dir = Directory.CreateTempSubdirectory("scan-").FullName;
        try
        {
            var binary = Path.Combine(dir, "state.sqlite");
            File.WriteAllBytes(binary, [0, 1, 2, .. Encoding.UTF8.GetBytes(Canary), 0, 255]);
            var utf16 = Path.Combine(dir, "cache.txt");
            File.WriteAllBytes(utf16, Encoding.Unicode.GetBytes("key=" + Canary));
            var empty = Path.Combine(dir, "empty");
            File.WriteAllBytes(empty, []);
            var notes = new List<string>();
            var scanner = new SecretScanner([Canary]);
            Assert.That(scanner.InFile(binary, notes).Count(), Is.EqualTo(1));
            Assert.That(scanner.InFile(utf16, notes).Single().Form, Does.Contain("UTF-16"));
            Assert.That(scanner.InFile(empty, notes), Is.Empty);
            Assert.That(notes, Is.Empty);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void Scanner_finds_utf16_on_odd_bytes_too()
    {
        var dir = Directory.CreateTempSubdirectory("scan-").FullName;
        try
        {
            // Where a UTF-16 canary's characters land depends on byte order and on what precedes it: big-endian after
            // three bytes puts them on even offsets, little-endian after one byte on odd offsets (and an odd-length file).
            var shifted = Path.Combine(dir, "odd.bin");
            File.WriteAllBytes(shifted, [7, 7, 7, .. Encoding.BigEndianUnicode.GetBytes(Canary)]);
            var odd = Path.Combine(dir, "odd-le.bin");
            File.WriteAllBytes(odd, [7, .. Encoding.Unicode.GetBytes(Canary), 9]);
            var scanner = new SecretScanner([Canary]);
            var notes = new List<string>();
            Assert.That(scanner.InFile(shifted, notes).Single().Form, Does.Contain("UTF-16"));
            Assert.That(scanner.InFile(odd, notes).Single().Form, Does.Contain("UTF-16"));
            Assert.That(notes, Is.Empty);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void Scanner_and_redactor_look_for_the_same_canaries()
    {
        Assert.That(SecretScanner.Canaries(["short", Canary, Canary, "12345678"]), Is.EqualTo(new[] { Canary, "12345678" }));
        Assert.That(new Redactor(["short"]).Apply("short"), Is.EqualTo("short"));
    }

    [Test]
    public void Redactor_masks_every_form_keeping_the_last_four_characters()
    {
        var redactor = new Redactor([Canary]);
        var base64 = SecretScanner.Forms(Canary).Single(f => f.Form == "base64").Value;
        var text = redactor.Apply($"Authorization: Bearer {Canary}; b64 {base64}");
        Assert.That(text, Does.Not.Contain(Canary).And.Not.Contain(base64));
        Assert.That(text, Does.Contain("••••4321"));
    }
}

/// <summary>
/// What a run does when the party under test floods it: memory keeps the newest of its exchanges and every stimulus,
/// the report says how many were evicted and where they are, and the report folder's copy of the file hides every secret.
/// </summary>
public sealed class TranscriptCapTests
{
    private const string Canary = "sk-dkcanaryAbC123xyz0987654321";

    private static Dukaan.Simulator.Exchange Call(long seq, Dukaan.Simulator.Direction direction = Dukaan.Simulator.Direction.AgentToPlatform, string body = "") => new(
        seq, direction, "run", "sub_1", "POST", "/run", new Dictionary<string, string>(), body, 200, new Dictionary<string, string>(), "", DateTimeOffset.UnixEpoch, 1, null,
        new Dictionary<string, string>());

    private readonly List<string> _folders = [];

    private string TempFile(string name = "raw.jsonl")
    {
        var folder = Directory.CreateTempSubdirectory("dukaan-cap-").FullName;
        _folders.Add(folder);
        return Path.Combine(folder, name);
    }

    [OneTimeTearDown]
    public void RemoveFiles()
    {
        foreach (var folder in _folders) Directory.Delete(folder, recursive: true);
    }

    [Test]
    public void A_flooding_agent_evicts_its_oldest_calls_and_the_note_says_where_every_exchange_is()
    {
        var raw = TempFile();
        using var transcript = RunTranscript.Create(new RunSettings { TranscriptCapacity = 3, TranscriptFile = raw });
        transcript.Add(Call(transcript.NextSeq(), Dukaan.Simulator.Direction.PlatformToAgent));
        for (var i = 0; i < 5; i++) transcript.Add(Call(transcript.NextSeq()));

        Assert.Multiple(() =>
        {
            Assert.That(transcript.Snapshot().Select(e => e.Seq), Is.EqualTo(new long[] { 1, 4, 5, 6 }), "the delivery and the newest 3 calls");
            Assert.That(transcript.Evicted, Is.EqualTo(2));
            Assert.That(RunTranscript.Note(transcript, "agent"), Does.Contain("the newest 3 of its exchanges").And.Contain("2 older ones were evicted from memory")
                .And.Contain("every exchange is in transcript.jsonl beside this report"));
        });
        transcript.Dispose();
        Assert.That(File.ReadAllLines(raw), Has.Length.EqualTo(6));
    }

    [Test]
    public void Without_a_file_the_note_says_the_evicted_exchanges_are_gone()
    {
        var transcript = RunTranscript.Create(new RunSettings { TranscriptCapacity = 3 });
        for (var i = 0; i < 4; i++) transcript.Add(Call(transcript.NextSeq()));
        Assert.That(RunTranscript.Note(transcript, "agent"), Does.Contain("1 older ones were evicted").And.Contain("not kept anywhere"));
    }

    [Test]
    public void A_transcript_that_fits_needs_no_note()
    {
        var transcript = RunTranscript.Create(new RunSettings { TranscriptCapacity = 3 });
        for (var i = 0; i < 3; i++) transcript.Add(Call(transcript.NextSeq()));
        Assert.That(RunTranscript.Note(transcript, "agent"), Is.Null);
    }

    [Test]
    public void The_report_folders_copy_masks_every_secret_and_keeps_every_line()
    {
        var raw = TempFile();
        var transcript = RunTranscript.Create(new RunSettings { TranscriptFile = raw });
        var base64 = SecretScanner.Forms(Canary).Single(f => f.Form == "base64").Value;
        transcript.Add(Call(transcript.NextSeq(), body: "{\"ok\":true}"));
        transcript.Add(Call(transcript.NextSeq(), body: $"{{\"data\":{{\"openai_api_key\":\"{Canary}\"}}}}"));
        transcript.Add(Call(transcript.NextSeq(), body: $"Authorization: Basic {base64}"));
        transcript.Dispose();
        var copy = TempFile("transcript.jsonl");

        var lines = TranscriptExport.WriteRedacted(raw, copy, [Canary]);

        var text = File.ReadAllText(copy);
        var copied = File.ReadAllLines(copy);
        Assert.Multiple(() =>
        {
            Assert.That(lines, Is.EqualTo(3));
            Assert.That(copied, Has.Length.EqualTo(3));
            Assert.That(text, Does.Not.Contain(Canary).And.Not.Contain(base64));
            Assert.That(text, Does.Contain("••••4321"));
            Assert.That(copied[0], Is.EqualTo(File.ReadAllLines(raw)[0]), "a line without a secret is copied as it is");
            Assert.That(Dukaan.Simulator.TranscriptLog.Read(copy).Select(e => e.Seq), Is.EqualTo(new long[] { 1, 2, 3 }), "every line is still an exchange");
        });
    }
}
