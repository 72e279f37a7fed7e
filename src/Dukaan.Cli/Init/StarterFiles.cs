using System.Text.Json;
using Dukaan.Cli.Configuration;

namespace Dukaan.Cli.Init;

/// <summary>The two files `init` writes, as templates filled from the detected stack.</summary>
public static class StarterFiles
{
    public const string WorkflowPath = ".github/workflows/agentdukaan-conformance.yml";

    /// <summary>Where the starter config sends reports, and so what the workflow uploads: the two must agree.</summary>
    public const string ReportDir = "reports/conformance";

    public const string SchemaUrl = "https://raw.githubusercontent.com/dukaanconformance/DukaanConformance/main/schemas/dukaan-conformance.schema.json";

    public const string HarnessRepository = "https://github.com/dukaanconformance/DukaanConformance";

    public static string Config(ProjectStack stack) => $$"""
        {
          "$schema": "{{SchemaUrl}}",
          "$comment": "Settings for `dukaan-conformance certify`, written by `dukaan-conformance init` for a {{stack.Name}} project ({{Text(stack.Evidence)}}). Every key is optional; a flag given on the command line overrides the file. Relative paths are relative to this file. JSON has no comments, so notes are \"$comment\" keys.",

          "agent": {
            "$comment": "How the harness starts your agent (/bin/sh -c, in workdir). It sets PORT (listen on 127.0.0.1:$PORT), AGENTDUKAAN_API_URL, AGENTDUKAAN_WEBHOOK_SECRET, OPENAI_BASE_URL and a fresh TMPDIR. Extra variables go in \"env\": { \"KEY\": \"value\" }. For an agent that is already running, replace cmd and workdir with \"url\".",
            "cmd": {{JsonSerializer.Serialize(stack.AgentCommand, Readable)}},
            "workdir": "."
          },

          "$comment:webhookPath": "The route your agent receives buyer_configured deliveries on.",
          "webhookPath": "/hooks/agentdukaan",

          "$comment:triggerUrl": "You must expose this route yourself, in test mode only: POST {\"subscriptionId\":\"…\"} makes your agent do one billable run for that buyer now (POST /run, then the provider with the buyer's key). {port} is your agent's port. Without it the run, limit, cancellation and request-config rules are not exercised, and MUST rules that are not exercised keep the run from certifying. Remove the key if you have no such route yet.",
          "triggerUrl": "http://127.0.0.1:{port}/_test/trigger",

          "listing": {
            "$comment": "Your listing's setup wizard, so generated buyers look like yours: non-sensitive field ids, sensitive field ids (each gets a unique canary the harness searches for in logs, files and requests), and the sensitive field holding the OpenAI-style key the simulated provider checks.",
            "fields": ["business_name", "language"],
            "sensitiveFields": ["openai_api_key"],
            "providerKeyField": "openai_api_key",
            "$comment:capabilities": "If buyers chat with your agent in the app (contract 002 §6), declare it here: \"capabilities\": { \"blocks\": [\"text\", \"buttons\"], \"actions\": [\"open_url\"], \"proactive\": { \"enabled\": true, \"maxPerDay\": 10, \"categories\": [\"alert\"] } }. blocks are the ChatBlock types your replies use; proactive opts in to pushing messages unprompted. Left out: no chat, and no chat message reaches your agent."
          },

          "$comment:strict": "true: SHOULD rules that are not met fail the run (exit 1) instead of warning.",
          "strict": false,

          "$comment:seed": "The same seed replays the same buyers, configs and canaries.",
          "seed": 1,

          "$comment:out": "Report folder (index.html, results.json, junit.xml, summary.md); the workflow uploads it. Add it to .gitignore.",
          "out": "{{ReportDir}}",

          "$comment:baseline": "To accept known failures for now, each with a reason, add \"baseline\": \"dukaan-baseline.json\".",

          "$comment:timing": "Seconds: startupTimeout waits for your agent's port{{(stack.Kind == StackKind.DotNet ? " (dotnet run builds first)" : "")}}; quietWindow watches for forbidden actions after a bad delivery, a 403 or a 429.",
          "startupTimeout": {{stack.StartupTimeout}},
          "quietWindow": 1.5
        }

        """;

    /// <summary>The starter for another profile: its contract, its webhook route, the environment its agent gets.</summary>
    public static string Config(ProjectStack stack, Dukaan.Conformance.Profiles.ProfileInfo profile) => $$"""
        {
          "$schema": "{{SchemaUrl}}",
          "$comment": "Settings for `dukaan-conformance certify`, written by `dukaan-conformance init --profile {{profile.Id}}` for a {{stack.Name}} project ({{Text(stack.Evidence)}}). Every key is optional; a flag given on the command line overrides the file. Relative paths are relative to this file.",

          "$comment:profile": "{{Text(profile.Title)}}: the rules are listed by `dukaan-conformance list-rules --profile {{profile.Id}}`.",
          "profile": "{{profile.Id}}",

          "agent": {
            "$comment": {{JsonSerializer.Serialize($"How the harness starts your agent (/bin/sh -c, in workdir). It sets {string.Join(", ", profile.Environment.Select(v => v.Name))}.", Readable)}},
            "cmd": {{JsonSerializer.Serialize(stack.AgentCommand, Readable)}},
            "workdir": "."
          },

          "$comment:webhookPath": "The route your agent receives deliveries on.",
          "webhookPath": "{{profile.DefaultWebhookPath}}",

          "$comment:out": "Report folder (index.html, results.json, junit.xml, summary.md). Add it to .gitignore.",
          "out": "{{ReportDir}}",

          "startupTimeout": {{stack.StartupTimeout}}
        }

        """;

    public static string Workflow(ProjectStack stack) => $$$"""
        # Written by `dukaan-conformance init`: certifies the agent against the AgentDukaan contract on every push and
        # pull request. The report (index.html, results.json, junit.xml, summary.md) is uploaded as the
        # "agentdukaan-conformance" artifact, also when certification fails. Settings: {{{ConfigFile.FileName}}}.
        name: AgentDukaan conformance

        on:
          push:
          pull_request:
          workflow_dispatch:

        permissions:
          contents: read

        jobs:
          certify:
            runs-on: ubuntu-latest
            timeout-minutes: 20
            steps:
              - uses: actions/checkout@v4

              - uses: actions/setup-dotnet@v4
                with:
                  dotnet-version: 10.0.x
        {{{Toolchain(stack)}}}
              # The harness, outside the workspace so it does not mix with your project. Pin a tag for a stable gate.
              - name: Get DukaanConformance
                env:
                  HARNESS_REF: main
                run: git clone --depth 1 --branch "$HARNESS_REF" {{{HarnessRepository}}} "$RUNNER_TEMP/dukaan-conformance"

              # Run from the harness folder so your global.json cannot pick its SDK; paths in the config stay relative to the config.
              - name: Certify against the AgentDukaan contract
                working-directory: ${{ runner.temp }}/dukaan-conformance
                run: dotnet run --project src/Dukaan.Cli -c Release -- certify --config "$GITHUB_WORKSPACE/{{{ConfigFile.FileName}}}"

              - name: Upload the conformance report
                if: always()
                uses: actions/upload-artifact@v4
                with:
                  name: agentdukaan-conformance
                  path: {{{ReportDir}}}
                  if-no-files-found: warn

        """;

    /// <summary>The stack's own setup and dependency steps, indented as steps of the job (empty for a .NET project's setup).</summary>
    private static string Toolchain(ProjectStack stack)
    {
        var setup = stack.Kind switch
        {
            StackKind.Node => "      - uses: actions/setup-node@v4\n        with:\n          node-version: 22\n",
            StackKind.Python => "      - uses: actions/setup-python@v5\n        with:\n          python-version: '3.12'\n",
            StackKind.Unknown => "      # TODO: set up your agent's toolchain here (actions/setup-node, actions/setup-python, …).\n",
            _ => "",
        };
        var install = stack.InstallCommand is { } command ? $"      - run: {command}\n"
            : stack.InstallTodo is { } todo ? $"      # TODO: {todo}\n" : "";
        var steps = setup + install;
        return steps.Length == 0 ? "" : "\n" + steps;
    }

    /// <summary>The file is read by people, so escape only what JSON requires (no \u0022 for quotes).</summary>
    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Evidence goes inside a JSON string: escape it without the surrounding quotes.</summary>
    private static string Text(string value) => JsonSerializer.Serialize(value, Readable)[1..^1];
}
