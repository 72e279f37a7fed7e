using Dukaan.Conformance;

namespace Dukaan.Reporting.Tests;

public sealed class ReportSetTests
{
    [Test]
    public void WriteAll_writes_the_four_reports_and_returns_their_paths()
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "set-" + Guid.NewGuid().ToString("N"), "nested");
        try
        {
            var paths = ReportSet.WriteAll(FixtureResults.Failing(), dir, []);
            Assert.Multiple(() =>
            {
                Assert.That(paths.Select(Path.GetFileName), Is.EqualTo(new[] { "results.json", "index.html", "junit.xml", "summary.md" }));
                Assert.That(paths.All(Path.IsPathFullyQualified));
                Assert.That(paths.All(File.Exists));
                var json = File.ReadAllText(paths[0]);
                Assert.That(json, Is.EqualTo(ResultsJson.Serialize(FixtureResults.Failing())), "without secrets, results.json is exactly the engine's serialization");
                Assert.That(File.ReadAllBytes(paths[1]).Take(3), Is.Not.EqualTo(new byte[] { 0xEF, 0xBB, 0xBF }), "no BOM");
            });

            // Writing again over an existing report replaces it.
            var again = ReportSet.Write(FixtureResults.With(Outcome.Certified, []), dir, []);
            Assert.That(File.ReadAllText(again.IndexHtml), Does.Contain("data-outcome=\"certified\""));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
        }
    }
}
