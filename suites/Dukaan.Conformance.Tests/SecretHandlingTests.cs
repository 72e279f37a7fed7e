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

public sealed class TranscriptCapTests
{
    [Test]
    public void A_full_transcript_counts_what_it_drops_instead_of_growing()
    {
        var transcript = new Dukaan.Simulator.Transcript { Capacity = 3 };
        for (var i = 0; i < 5; i++)
            transcript.Add(new Dukaan.Simulator.Exchange(transcript.NextSeq(), Dukaan.Simulator.Direction.AgentToPlatform, "run", "sub_1", "POST", "/run",
                new Dictionary<string, string>(), "", 200, new Dictionary<string, string>(), "", DateTimeOffset.UnixEpoch, 1, null, new Dictionary<string, string>()));
        Assert.That(transcript.Snapshot(), Has.Count.EqualTo(3));
        Assert.That(transcript.Dropped, Is.EqualTo(2));
    }
}
