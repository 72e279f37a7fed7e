namespace Dukaan.Reporting.Tests.Baselines;

public sealed class BaselineLoadTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDir() => _dir = Directory.CreateTempSubdirectory("dukaan-baseline-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir, "dukaan-baseline.json");
        File.WriteAllText(path, json);
        return path;
    }

    private string LoadError(string json) =>
        Assert.Throws<BaselineFormatException>(() => Baseline.Load(Write(json)))!.Message;

    [TestCase("{", "is not valid JSON (line 1)")]
    [TestCase("[]", "$ is an array, expected an object")]
    [TestCase("{}", "$.accepted is missing")]
    [TestCase("{\"accepted\":{}}", "$.accepted is an object, expected an array")]
    [TestCase("{\"accepted\":[\"DK-SEC-05\"]}", "$.accepted[0] is a string, expected an object")]
    [TestCase("{\"accepted\":[{\"reason\":\"x\"}]}", "$.accepted[0].rule is required")]
    [TestCase("{\"accepted\":[{\"rule\":42,\"reason\":\"x\"}]}", "$.accepted[0].rule is required")]
    [TestCase("{\"accepted\":[{\"rule\":\"DK-RUN-02\"}]}", "$.accepted[0].reason is required")]
    [TestCase("{\"accepted\":[{\"rule\":\"DK-RUN-02\",\"reason\":\"   \"}]}", "$.accepted[0].reason is required")]
    [TestCase("{\"accepted\":[{\"rule\":\"DK-RUN-02\",\"reason\":\"TODO: why this failure is accepted\"}]}", "$.accepted[0].reason is still the pasted placeholder")]
    [TestCase("{\"accepted\":[{\"rule\":\"DK-XYZ-01\",\"reason\":\"x\"}]}", "$.accepted[0].rule \"DK-XYZ-01\" is not a rule ID; `dukaan-conformance list-rules` shows them.")]
    [TestCase("{\"accepted\":[{\"rule\":\"dk-sec-05\",\"reason\":\"x\"}]}", "did you mean \"DK-SEC-05\"?")]
    [TestCase("{\"accepted\":[{\"rule\":\"DK-RUN-02\",\"reason\":\"x\"},{\"rule\":\"DK-RUN-02\",\"reason\":\"y\"}]}", "$.accepted[1].rule \"DK-RUN-02\" is already accepted by $.accepted[0]")]
    [TestCase("{\"accepted\":[{\"rule\":\"DK-RUN-02\",\"reason\":\"x\",\"resaon\":\"y\"}]}", "$.accepted[0].resaon is not a known key")]
    [TestCase("{\"accepted\":[],\"acepted\":[]}", "$.acepted is not a known key")]
    public void Each_kind_of_mistake_is_named_with_its_json_path(string json, string message) =>
        Assert.That(LoadError(json), Does.Contain(message));

    [Test]
    public void Every_problem_is_reported_at_once_not_one_per_ci_run()
    {
        var message = LoadError("{\"accepted\":[{\"rule\":\"DK-NOPE-01\",\"reason\":\"x\"},{\"rule\":\"DK-RUN-02\"},{\"rule\":\"DK-RUN-03\",\"reason\":\"ok\",\"note\":1}]}");
        Assert.That(message, Does.StartWith(Path.Combine(_dir, "dukaan-baseline.json") + " has 3 problem(s):"));
        Assert.That(message, Does.Contain("$.accepted[0].rule").And.Contain("$.accepted[1].reason").And.Contain("$.accepted[2].note"));
    }

    [Test]
    public void A_missing_file_and_a_folder_are_refused_with_what_to_do()
    {
        var missing = Path.Combine(_dir, "nope.json");
        Assert.That(() => Baseline.Load(missing), Throws.TypeOf<BaselineFormatException>().With.Message.Contains("does not exist. Create it"));
        Assert.That(() => Baseline.Load(_dir), Throws.TypeOf<BaselineFormatException>().With.Message.Contains("is a folder"));
    }

    [Test]
    public void A_valid_file_loads_with_comments_trailing_commas_and_schema_key()
    {
        var path = Write("""
            {
              "$schema": "../schemas/dukaan-baseline.schema.json",
              // the restart work is scheduled
              "accepted": [
                { "rule": "DK-SEC-05", "reason": "  state store lands next sprint (JIRA-123) " },
                { "rule": "DK-ACK-02", "reason": "slow cold start, JIRA-7", "$comment": "owner: payments" },
              ]
            }
            """);
        Assert.That(Baseline.Load(path).Accepted, Is.EqualTo(new[]
        {
            new BaselineEntry("DK-SEC-05", "state store lands next sprint (JIRA-123)"),
            new BaselineEntry("DK-ACK-02", "slow cold start, JIRA-7"),
        }));
    }

    [Test]
    public void Rule_ids_are_checked_against_the_set_the_caller_gives()
    {
        var path = Write("{\"accepted\":[{\"rule\":\"WK-01\",\"reason\":\"wakeel profile\"}]}");
        Assert.That(() => Baseline.Load(path), Throws.TypeOf<BaselineFormatException>());
        Assert.That(Baseline.Load(path, new HashSet<string> { "WK-01" }).Accepted.Single().Rule, Is.EqualTo("WK-01"));
    }
}
