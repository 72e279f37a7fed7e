using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using Dukaan.Conformance;

namespace Dukaan.Reporting.Tests;

public sealed class JUnitWriterTests
{
    private static XmlSchemaSet Schema()
    {
        var set = new XmlSchemaSet();
        set.Add(null, Path.Combine(TestContext.CurrentContext.TestDirectory, "Schemas", "JUnit.xsd"));
        set.Compile();
        return set;
    }

    private static List<string> Validate(string xml)
    {
        var errors = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = Schema() };
        settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity} line {e.Exception?.LineNumber}: {e.Message}");
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        while (reader.Read()) { }
        return errors;
    }

    [Test]
    public void Junit_of_a_failing_run_validates_against_the_jenkins_junit_schema()
    {
        var xml = JUnitWriter.Render(FixtureResults.Failing());
        Assert.That(Validate(xml), Is.Empty);
    }

    [Test]
    public void The_schema_validation_is_real_it_rejects_a_misordered_testcase()
    {
        // Negative control: if the schema or the validator were a no-op, the test above would prove nothing.
        const string bad = """
            <testsuites><testsuite name="s" tests="1"><testcase name="t"><system-out>x</system-out><failure message="m"/></testcase></testsuite></testsuites>
            """;
        Assert.That(Validate(bad), Has.Some.Contains("failure"));
        Assert.That(Validate("<testsuites><testsuite tests=\"1\"/></testsuites>"), Has.Some.Contains("name"));
    }

    [Test]
    public void Counts_match_the_verdicts_on_suite_and_suites()
    {
        var results = FixtureResults.Failing();
        var doc = XDocument.Parse(JUnitWriter.Render(results));
        var suites = doc.Root!;
        var suite = suites.Element("testsuite")!;
        Assert.Multiple(() =>
        {
            Assert.That(suites.Name.LocalName, Is.EqualTo("testsuites"));
            Assert.That((int)suite.Attribute("tests")!, Is.EqualTo(33));
            Assert.That((int)suite.Attribute("failures")!, Is.EqualTo(4));
            Assert.That((int)suite.Attribute("errors")!, Is.EqualTo(1));
            Assert.That((int)suite.Attribute("skipped")!, Is.EqualTo(7));
            Assert.That((int)suites.Attribute("tests")!, Is.EqualTo(33));
            Assert.That((int)suites.Attribute("failures")!, Is.EqualTo(4));
            Assert.That((int)suites.Attribute("errors")!, Is.EqualTo(1));
            Assert.That(suite.Elements("testcase").Count(), Is.EqualTo(33));
            Assert.That(suite.Descendants("failure").Count(), Is.EqualTo(4));
            Assert.That(suite.Descendants("error").Count(), Is.EqualTo(1));
            Assert.That(suite.Descendants("skipped").Count(), Is.EqualTo(7));
            Assert.That(decimal.Parse((string)suite.Attribute("time")!, CultureInfo.InvariantCulture), Is.EqualTo(48.25m));
            Assert.That((string)suite.Attribute("timestamp")!, Is.EqualTo("2026-11-23T12:30:00"));
        });
    }

    [Test]
    public void Each_verdict_maps_to_the_right_element()
    {
        var cases = XDocument.Parse(JUnitWriter.Render(FixtureResults.Failing())).Descendants("testcase")
            .ToDictionary(c => ((string)c.Attribute("name")!).Split(' ')[0]);
        Assert.Multiple(() =>
        {
            var sig01 = cases["DK-SIG-01"];
            Assert.That((string)sig01.Attribute("classname")!, Is.EqualTo("signatures"));
            Assert.That((string)sig01.Attribute("name")!, Is.EqualTo("DK-SIG-01 Verifies the HMAC over the raw body bytes"));
            Assert.That((string)sig01.Element("failure")!.Attribute("message")!, Does.StartWith("Probably hashes re-serialized JSON"));
            Assert.That(sig01.Element("failure")!.Value, Does.Contain("Rerun: " + FixtureResults.RerunSig01));
            Assert.That(decimal.Parse((string)sig01.Attribute("time")!, CultureInfo.InvariantCulture), Is.GreaterThan(0m));

            // Without a diagnosis the observation is the message.
            Assert.That((string)cases["DK-SEC-04"].Element("error")!.Attribute("message")!, Does.StartWith("the harness could not restart"));
            Assert.That((string)cases["DK-RUN-01"].Element("skipped")!.Attribute("message")!, Does.Contain("no trigger configured"));

            var warn = cases["DK-ACK-02"];
            Assert.That(warn.Elements().Select(e => e.Name.LocalName), Is.EqualTo(new[] { "system-out" }));
            Assert.That(warn.Element("system-out")!.Value, Does.StartWith("WARNING"));

            Assert.That(cases["DK-SIG-02"].HasElements, Is.False, "a pass has no children");
            Assert.That(cases.Values.All(c => decimal.TryParse((string)c.Attribute("time")!, NumberStyles.Number, CultureInfo.InvariantCulture, out _)));
        });
    }

    [Test]
    public void Failures_are_listed_before_passes_and_properties_describe_the_run()
    {
        var doc = XDocument.Parse(JUnitWriter.Render(FixtureResults.Failing()));
        var first = doc.Descendants("testcase").First();
        var properties = doc.Descendants("property").ToDictionary(p => (string)p.Attribute("name")!, p => (string)p.Attribute("value")!);
        Assert.Multiple(() =>
        {
            Assert.That(first.Element("failure"), Is.Not.Null);
            Assert.That(properties["dukaan.outcome"], Is.EqualTo("not-certified"));
            Assert.That(properties["dukaan.seed"], Is.EqualTo("4242"));
            Assert.That(properties["dukaan.profile"], Is.EqualTo("agentdukaan"));
        });
    }

    [Test]
    public void Control_characters_from_an_agent_do_not_break_the_xml()
    {
        var results = FixtureResults.Failing();
        var rule = results.Rules.First(r => r.Id == "DK-SIG-05");
        var hostile = rule with { Evidence = rule.Evidence with { Diagnosis = "NUL\0 BEL\u0007 ESC\u001b lone surrogate \ud800 end", Observed = "]]> <![CDATA[ &amp;" } };
        var xml = JUnitWriter.Render(FixtureResults.With(Outcome.NotCertified, [.. results.Rules.Select(r => r.Id == rule.Id ? hostile : r)]));
        Assert.That(Validate(xml), Is.Empty);
        var failure = XDocument.Parse(xml).Descendants("testcase").Single(c => ((string)c.Attribute("name")!).StartsWith("DK-SIG-05", StringComparison.Ordinal)).Element("failure")!;
        Assert.That((string)failure.Attribute("message")!, Is.EqualTo("NUL\uFFFD BEL\uFFFD ESC\uFFFD lone surrogate \uFFFD end"));
        Assert.That(failure.Value, Does.Contain("]]> <![CDATA[ &amp;"));
    }

    [Test]
    public void An_empty_run_is_still_valid_junit()
    {
        var xml = JUnitWriter.Render(FixtureResults.With(Outcome.NothingSelected, [], "DK-NOPE-*"));
        Assert.That(Validate(xml), Is.Empty);
        Assert.That((int)XDocument.Parse(xml).Root!.Element("testsuite")!.Attribute("tests")!, Is.Zero);
    }
}
