using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Dukaan.Contract;
using Dukaan.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace LoadBench;

public static class Program
{
    private const string Usage = """
        LoadBench serve [--port 0] [--bare-port 0] [--secret S] [--transcript-file PATH] [--transcript-capacity N] [--sample-every SECONDS]
            Starts the simulator (one subscription, run limit int.MaxValue) and a bare Kestrel POST /bare, prints
            SIM_URL, BARE_URL, SUBSCRIPTION, SECRET and READY, and runs until SIGTERM/SIGINT, then prints STATS.
            --transcript-file streams every exchange to that JSON Lines file; --sample-every prints a SAMPLE line
            (working set, managed heap, transcript counts) every so many seconds, for a soak.
        LoadBench wiremock --sim-url URL --subscription ID --secret S [--port 0] [--max-log N]
            Asks the simulator for one signed POST /run, then starts a WireMock.Net server on 127.0.0.1 whose stub for
            POST /api/subscriptions/*/run answers that same status, Content-Type and body (checked before READY), and
            prints WIREMOCK_URL and READY. WireMock's defaults otherwise (request log on, unbounded unless --max-log).
        LoadBench load --target NAME=URL [--target …] [--cpu NAME=PID …] [--rounds 1] [--seconds 5] [--concurrency 32] [--warmup 1] [--prewarm 3]
                       [--signed --secret S --subscription ID]
            Loads each target once for --prewarm seconds (not counted: the servers' JIT settles), then in turn from N
            concurrent loops for the given time (after a per-run warm-up that is not counted either), round after round,
            the order rotating each round so that drift on a shared machine falls on all alike. Each request is freshly
            signed when --signed, whichever target it goes to. Prints ROUND lines and, per target, RESULT with
            requests/s and p50/p99 latency over all rounds; with --cpu, also the server process's CPU µs per request.
        """;

    public static async Task<int> Main(string[] args)
    {
        try
        {
            var options = Args.Parse(args.Skip(1));
            return args.FirstOrDefault() switch
            {
                "serve" => await ServeAsync(options),
                "wiremock" => await WireMockAsync(options),
                "load" => await LoadAsync(options),
                _ => Fail(Usage),
            };
        }
        catch (ArgumentException ex)
        {
            return Fail($"{ex.Message}\n\n{Usage}");
        }
        catch (SimulatorException ex)
        {
            return Fail($"error: {ex.Message}");
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }

    private static (CancellationTokenSource Stop, IDisposable[] Registrations) StopOnSignal()
    {
        var stop = new CancellationTokenSource();
        return (stop, [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); }),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); }),
        ]);
    }

    private static async Task<int> ServeAsync(Args args)
    {
        var secret = args.Get("secret", "whsec_loadbench");
        var (stop, signals) = StopOnSignal();
        using var _ = stop;
        var sampleEvery = args.GetInt("sample-every", 0);
        var options = new SimulatorOptions
        {
            Port = args.GetInt("port", 0), Secret = secret,
            TranscriptFile = args.Has("transcript-file") ? args.Require("transcript-file") : null,
            TranscriptCapacity = args.GetInt("transcript-capacity", Transcript.DefaultCapacity),
        };

        var simulator = await SimulatorHost.StartAsync(options, stop.Token);
        var transcript = simulator.Simulator.Transcript;
        var subscription = simulator.Simulator.CreateSubscription(new CreateSubscriptionRequest(Tier: new Tier("Bench", 0, int.MaxValue)));

        var bare = BuildBare(args.GetInt("bare-port", 0));
        await bare.StartAsync(stop.Token);
        var bareUrl = bare.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        // What the process holds before any exchange, so bytes per exchange counts the transcript and not the host.
        var idleLive = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"SIM_URL={simulator.BaseUrl.ToString().TrimEnd('/')}");
        Console.WriteLine($"BARE_URL={bareUrl}");
        Console.WriteLine($"SUBSCRIPTION={subscription.Id}");
        Console.WriteLine($"SECRET={secret}");
        Console.WriteLine($"TRANSCRIPT_FILE={transcript.Log?.Path ?? "(none)"}");
        Console.WriteLine("READY");

        var started = Stopwatch.StartNew();
        long peakManaged = 0;
        try
        {
            while (true)
            {
                await Task.Delay(sampleEvery > 0 ? TimeSpan.FromSeconds(sampleEvery) : Timeout.InfiniteTimeSpan, stop.Token);
                using var process = Process.GetCurrentProcess();
                var managed = GC.GetTotalMemory(forceFullCollection: false);
                peakManaged = Math.Max(peakManaged, managed);
                Console.WriteLine(FormattableString.Invariant(
                    $"SAMPLE t_s={started.Elapsed.TotalSeconds:0} working_set_mb={process.WorkingSet64 / 1048576.0:0.0} managed_heap_mb={managed / 1048576.0:0.0} exchanges={transcript.LastSeq} in_memory={transcript.Snapshot().Count} evicted={transcript.Evicted} file_lines={transcript.Log?.Written ?? 0}"));
            }
        }
        catch (OperationCanceledException)
        {
            // SIGTERM/SIGINT: fall through to the report.
        }

        // Every /run is kept in the transcript (the newest up to the capacity) and, with a file, written to disk; how
        // much that costs is part of what the benchmark is for.
        var inMemory = transcript.Snapshot().Count;
        var managedBefore = GC.GetTotalMemory(forceFullCollection: false);
        var managedAfterGc = GC.GetTotalMemory(forceFullCollection: true);
        await simulator.DisposeAsync();
        using (var process = Process.GetCurrentProcess())
        {
            var log = transcript.Log;
            Console.WriteLine(FormattableString.Invariant(
                $"STATS exchanges={transcript.LastSeq} in_memory={inMemory} evicted={transcript.Evicted} runs_used={subscription.RunsUsed} managed_heap_mb={managedBefore / 1048576.0:0.0} live_after_gc_mb={managedAfterGc / 1048576.0:0.0} idle_live_mb={idleLive / 1048576.0:0.0} bytes_per_exchange={(inMemory == 0 ? 0 : (managedAfterGc - idleLive) / inMemory)} peak_working_set_mb={process.PeakWorkingSet64 / 1048576.0:0.0} peak_sampled_managed_mb={peakManaged / 1048576.0:0.0}"));
            if (log is not null)
                Console.WriteLine(FormattableString.Invariant(
                    $"FILE path={log.Path} lines={log.Written} bytes={new FileInfo(log.Path).Length} lost={log.Lost} stalls={log.Stalls} error={log.Error ?? "none"}"));
        }

        using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await bare.StopAsync(shutdown.Token);
        await bare.DisposeAsync();
        foreach (var signal in signals) signal.Dispose();
        return transcript.Log is { Error: not null } ? 1 : 0;
    }

    /// <summary>The baseline: the same slim host and JSON writer as the simulator, with none of its work.</summary>
    private static WebApplication BuildBare(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port);
            k.AddServerHeader = false;
        });
        var app = builder.Build();
        app.MapPost("/bare", () => Results.Json(new Envelope<RunData>(true, new RunData(true, 1)), ContractJson.Options));
        return app;
    }

    /// <summary>
    /// WireMock.Net as a user starts a stub server: <see cref="WireMockServer.Start(WireMockServerSettings)"/> with only the
    /// address set (loopback), so its request log is on and unbounded, as by default, unless --max-log caps it. It runs in
    /// a process of its own so that its log's growth neither inflates the simulator's bytes per exchange nor its GC.
    /// </summary>
    private static async Task<int> WireMockAsync(Args args)
    {
        var simUrl = args.Require("sim-url").TrimEnd('/');
        var subscription = args.Require("subscription");
        var secret = Encoding.UTF8.GetBytes(args.Require("secret"));
        var (stop, signals) = StopOnSignal();
        using var _ = stop;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        // The stub answers exactly what the simulator answered to a successful signed /run.
        var runPath = $"/api/subscriptions/{subscription}/run";
        using var sample = await http.SendAsync(Signed(new HttpRequestMessage(HttpMethod.Post, simUrl + runPath), secret, subscription));
        var body = await sample.Content.ReadAsStringAsync();
        var contentType = sample.Content.Headers.ContentType?.ToString() ?? "application/json";
        if (sample.StatusCode != HttpStatusCode.OK) return Fail($"The simulator answered {(int)sample.StatusCode} to a signed /run, not 200: {body}");

        var port = args.GetInt("port", 0);
        var settings = new WireMockServerSettings { Urls = [$"http://127.0.0.1:{(port == 0 ? FreeLoopbackPort() : port)}"] };
        if (args.Has("max-log")) settings.MaxRequestLogCount = args.GetInt("max-log", 0);
        var server = WireMockServer.Start(settings);
        try
        {
            server.Given(Request.Create().WithPath("/api/subscriptions/*/run").UsingPost())
                .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", contentType).WithBody(body));
            // WireMock reports its address as localhost; the client is given the loopback address it was told to bind.
            var url = $"http://127.0.0.1:{server.Port}";

            using var check = await http.SendAsync(Signed(new HttpRequestMessage(HttpMethod.Post, url + runPath), secret, subscription));
            var checkBody = await check.Content.ReadAsStringAsync();
            var same = check.StatusCode == sample.StatusCode && checkBody == body && check.Content.Headers.ContentType?.ToString() == contentType;
            Console.WriteLine($"CHECK simulator={(int)sample.StatusCode} {contentType} {body} wiremock={(int)check.StatusCode} {check.Content.Headers.ContentType} {checkBody} same={same}");
            if (!same) return Fail("The WireMock.Net stub does not answer what the simulator answers; the comparison would be unfair.");
            Console.WriteLine($"WIREMOCK_URL={url}");
            Console.WriteLine($"WIREMOCK_MAX_LOG={settings.MaxRequestLogCount?.ToString(CultureInfo.InvariantCulture) ?? "unbounded (default)"}");
            Console.WriteLine("READY");
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // SIGTERM/SIGINT: report and stop.
            }
            using var process = Process.GetCurrentProcess();
            Console.WriteLine(FormattableString.Invariant(
                $"WM_STATS log_entries={server.LogEntries.Count()} managed_heap_mb={GC.GetTotalMemory(false) / 1048576.0:0.0} peak_working_set_mb={process.PeakWorkingSet64 / 1048576.0:0.0}"));
        }
        finally
        {
            server.Stop();
            server.Dispose();
            foreach (var signal in signals) signal.Dispose();
        }
        return 0;
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>A fresh timestamp and HMAC per request, as an agent signs each call.</summary>
    private static HttpRequestMessage Signed(HttpRequestMessage request, byte[] secret, string subscription)
    {
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"{subscription}.{ts}")));
        request.Headers.TryAddWithoutValidation(Headers.Timestamp, ts);
        request.Headers.TryAddWithoutValidation(Headers.Signature, signature);
        return request;
    }

    private static async Task<int> LoadAsync(Args args)
    {
        var targets = args.All("target").Select(Target.Parse).ToList();
        if (args.Has("url")) targets.Add(new Target("target", new Uri(args.Require("url"))));
        if (targets.Count == 0) throw new ArgumentException("Give at least one --target NAME=URL.");
        var rounds = args.GetInt("rounds", 1);
        var seconds = args.GetInt("seconds", 5);
        var concurrency = args.GetInt("concurrency", 32);
        var warmup = args.GetInt("warmup", 1);
        var prewarm = args.GetInt("prewarm", 3);
        var signed = args.Has("signed");
        var secret = signed ? Encoding.UTF8.GetBytes(args.Require("secret")) : [];
        var subscription = signed ? args.Require("subscription") : "";
        if (seconds <= 0 || concurrency <= 0 || warmup < 0 || prewarm < 0 || rounds <= 0)
            throw new ArgumentException("--seconds, --concurrency and --rounds must be positive, --warmup and --prewarm zero or more.");

        // One client per target with identical settings, so no target inherits another's warm connections.
        var clients = targets.ToDictionary(t => t.Name, _ => new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        })
        { Timeout = TimeSpan.FromSeconds(30) });
        // --cpu NAME=PID: the server process behind a target, whose CPU time per request is measured alongside its rate.
        var pids = args.All("cpu").Select(Target.ParsePid).ToDictionary(p => p.Name, p => p.Pid);
        var cpuSeconds = targets.ToDictionary(t => t.Name, _ => 0.0);
        var totals = targets.ToDictionary(t => t.Name, _ => new Sample());
        var measured = targets.ToDictionary(t => t.Name, _ => 0.0);
        try
        {
            // Before any round counts: each server's JIT tiers its hot paths up in the first seconds of load, which would
            // otherwise be charged to whichever target the first round happens to load first.
            if (prewarm > 0)
                foreach (var target in targets)
                    await RunOnceAsync(clients[target.Name], target.Url, prewarm, concurrency, 0,
                        signed ? request => Signed(request, secret, subscription) : request => request, 0);
            for (var round = 0; round < rounds; round++)
            {
                // Rotate: round 1 runs A B C, round 2 B C A, round 3 C A B.
                foreach (var target in targets.Skip(round % targets.Count).Concat(targets.Take(round % targets.Count)))
                {
                    var (sample, elapsed, cpu) = await RunOnceAsync(clients[target.Name], target.Url, seconds, concurrency, warmup,
                        signed ? request => Signed(request, secret, subscription) : request => request, pids.GetValueOrDefault(target.Name));
                    totals[target.Name].Add(sample);
                    measured[target.Name] += elapsed;
                    cpuSeconds[target.Name] += cpu;
                    Console.WriteLine(FormattableString.Invariant(
                        $"ROUND {round + 1} {target.Name} rps={sample.LatenciesMs.Count / elapsed:0} server_cpu_us_per_req={(sample.LatenciesMs.Count == 0 ? 0 : cpu * 1e6 / sample.LatenciesMs.Count):0} non_2xx={sample.NotOk} errors={sample.Errors}"));
                }
            }
        }
        finally
        {
            foreach (var client in clients.Values) client.Dispose();
        }

        var failed = false;
        foreach (var target in targets)
        {
            var total = totals[target.Name];
            var latencies = total.LatenciesMs.ToArray();
            Array.Sort(latencies);
            double Percentile(double p) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
            Console.WriteLine(FormattableString.Invariant(
                $"RESULT name={target.Name} url={target.Url} signed={signed} concurrency={concurrency} rounds={rounds} seconds={measured[target.Name]:0.00} requests={latencies.Length} rps={latencies.Length / measured[target.Name]:0} p50_ms={Percentile(0.50):0.000} p99_ms={Percentile(0.99):0.000} server_cpu_us_per_req={(pids.ContainsKey(target.Name) && latencies.Length > 0 ? cpuSeconds[target.Name] * 1e6 / latencies.Length : double.NaN):0} ok={total.Ok} non_2xx={total.NotOk} errors={total.Errors}"));
            failed |= total.NotOk > 0 || total.Errors > 0;
        }
        return failed ? 1 : 0;
    }

    /// <summary>User + system CPU seconds a process has used so far (Linux /proc), 0 when it cannot be read.</summary>
    private static double CpuSecondsOf(int pid)
    {
        if (pid <= 0) return 0;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which is in parentheses and may hold spaces): utime is the 14th field, stime the 15th.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    private static async Task<(Sample Sample, double Seconds, double CpuSeconds)> RunOnceAsync(HttpClient http, Uri url, int seconds, int concurrency, int warmup,
        Func<HttpRequestMessage, HttpRequestMessage> sign, int pid)
    {
        async Task<Sample> WorkerAsync(long measureFrom, long stopAt)
        {
            var sample = new Sample();
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var request = sign(new HttpRequestMessage(HttpMethod.Post, url));
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                    var ended = Stopwatch.GetTimestamp();
                    if (started < measureFrom) continue;
                    sample.LatenciesMs.Add(Stopwatch.GetElapsedTime(started, ended).TotalMilliseconds);
                    if ((int)response.StatusCode is >= 200 and < 300) sample.Ok++;
                    else sample.NotOk++;
                }
                catch (HttpRequestException)
                {
                    sample.Errors++;
                }
            }
            return sample;
        }

        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup * Stopwatch.Frequency);
        var stopAt = measureFrom + (long)(seconds * Stopwatch.Frequency);
        var workers = Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => WorkerAsync(measureFrom, stopAt))));
        // The server's CPU over the measured window only (the clock tick is 10 ms: over seconds, close enough).
        await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureFrom) is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
        var cpuFrom = CpuSecondsOf(pid);
        var samples = await workers;
        var cpu = CpuSecondsOf(pid) - cpuFrom;
        var elapsed = Stopwatch.GetElapsedTime(measureFrom).TotalSeconds;
        var merged = new Sample();
        foreach (var s in samples) merged.Add(s);
        return (merged, elapsed, cpu);
    }

    private sealed record Target(string Name, Uri Url)
    {
        public static Target Parse(string text)
        {
            var eq = text.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !Uri.TryCreate(text[(eq + 1)..], UriKind.Absolute, out var url))
                throw new ArgumentException($"--target '{text}' must be NAME=URL, e.g. sim=http://127.0.0.1:4455/api/subscriptions/sub_x/run.");
            return new Target(text[..eq], url);
        }

        public static (string Name, int Pid) ParsePid(string text)
        {
            var eq = text.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !int.TryParse(text[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                throw new ArgumentException($"--cpu '{text}' must be NAME=PID, the target's server process.");
            return (text[..eq], pid);
        }
    }

    private sealed class Sample
    {
        public List<double> LatenciesMs { get; } = new(capacity: 1 << 14);
        public int Ok { get; set; }
        public int NotOk { get; set; }
        public int Errors { get; set; }

        public void Add(Sample other)
        {
            LatenciesMs.AddRange(other.LatenciesMs);
            Ok += other.Ok;
            NotOk += other.NotOk;
            Errors += other.Errors;
        }
    }
}

/// <summary><c>--name value</c> and bare <c>--flag</c> options; a name may repeat (<see cref="All"/>).</summary>
internal sealed class Args
{
    private readonly List<(string Name, string? Value)> _values = [];

    public static Args Parse(IEnumerable<string> args)
    {
        var parsed = new Args();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{list[i]}'.");
            var name = list[i][2..];
            var hasValue = i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal);
            parsed._values.Add((name, hasValue ? list[++i] : null));
        }
        return parsed;
    }

    private string? Last(string name) => _values.LastOrDefault(v => v.Name == name).Value;

    public bool Has(string name) => _values.Any(v => v.Name == name);
    public IEnumerable<string> All(string name) => _values.Where(v => v.Name == name && v.Value is not null).Select(v => v.Value!);
    public string Get(string name, string fallback) => Last(name) ?? fallback;
    public string Require(string name) => Last(name) ?? throw new ArgumentException($"--{name} is required.");

    public int GetInt(string name, int fallback) =>
        Last(name) is { } text
            ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw new ArgumentException($"--{name} must be an integer.")
            : fallback;
}
