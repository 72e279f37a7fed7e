using System.Diagnostics;
using System.Globalization;
using System.Net;
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

namespace LoadBench;

public static class Program
{
    private const string Usage = """
        LoadBench serve [--port 0] [--bare-port 0] [--secret S]
            Starts the simulator (one subscription, run limit int.MaxValue) and a bare Kestrel POST /bare, prints
            SIM_URL, BARE_URL, SUBSCRIPTION, SECRET and READY, and runs until SIGTERM/SIGINT, then prints STATS.
        LoadBench load --url URL [--seconds 5] [--concurrency 32] [--warmup 1] [--signed --secret S --subscription ID]
            POSTs to URL from N concurrent loops for the given time (after a warm-up that is not counted), each request
            freshly signed when --signed, and prints RESULT with requests/s and p50/p99 latency.
        """;

    public static async Task<int> Main(string[] args)
    {
        try
        {
            var options = Args.Parse(args.Skip(1));
            return args.FirstOrDefault() switch
            {
                "serve" => await ServeAsync(options),
                "load" => await LoadAsync(options),
                _ => Fail(Usage),
            };
        }
        catch (ArgumentException ex)
        {
            return Fail($"{ex.Message}\n\n{Usage}");
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }

    private static async Task<int> ServeAsync(Args args)
    {
        var secret = args.Get("secret", "whsec_loadbench");
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Port = args.GetInt("port", 0), Secret = secret }, stop.Token);
        var subscription = simulator.Simulator.CreateSubscription(new CreateSubscriptionRequest(Tier: new Tier("Bench", 0, int.MaxValue)));

        var bare = BuildBare(args.GetInt("bare-port", 0));
        await bare.StartAsync(stop.Token);
        var bareUrl = bare.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        Console.WriteLine($"SIM_URL={simulator.BaseUrl.ToString().TrimEnd('/')}");
        Console.WriteLine($"BARE_URL={bareUrl}");
        Console.WriteLine($"SUBSCRIPTION={subscription.Id}");
        Console.WriteLine($"SECRET={secret}");
        Console.WriteLine("READY");

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGTERM/SIGINT: fall through to the report.
        }

        // Every /run is kept in the transcript; how much that costs is part of what the benchmark is for.
        var exchanges = simulator.Simulator.Transcript.Snapshot().Count;
        var managedBefore = GC.GetTotalMemory(forceFullCollection: false);
        var managedAfterGc = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        Console.WriteLine(FormattableString.Invariant(
            $"STATS transcript_exchanges={exchanges} runs_used={subscription.RunsUsed} managed_heap_mb={managedBefore / 1048576.0:0.0} live_after_gc_mb={managedAfterGc / 1048576.0:0.0} bytes_per_exchange={(exchanges == 0 ? 0 : managedAfterGc / exchanges)} peak_working_set_mb={process.PeakWorkingSet64 / 1048576.0:0.0}"));

        using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await bare.StopAsync(shutdown.Token);
        await bare.DisposeAsync();
        return 0;
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

    private static async Task<int> LoadAsync(Args args)
    {
        var url = new Uri(args.Require("url"));
        var seconds = args.GetInt("seconds", 5);
        var concurrency = args.GetInt("concurrency", 32);
        var warmup = args.GetInt("warmup", 1);
        var signed = args.Has("signed");
        var secret = signed ? Encoding.UTF8.GetBytes(args.Require("secret")) : [];
        var subscription = signed ? args.Require("subscription") : "";
        if (seconds <= 0 || concurrency <= 0 || warmup < 0) throw new ArgumentException("--seconds and --concurrency must be positive, --warmup zero or more.");

        using var http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        })
        { Timeout = TimeSpan.FromSeconds(30) };

        HttpRequestMessage NewRequest()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, url);
            if (!signed) return request;
            // A fresh timestamp and HMAC per request, as an agent signs each call.
            var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            var signature = Convert.ToHexStringLower(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"{subscription}.{ts}")));
            request.Headers.TryAddWithoutValidation(Headers.Timestamp, ts);
            request.Headers.TryAddWithoutValidation(Headers.Signature, signature);
            return request;
        }

        async Task<Sample> WorkerAsync(long measureFrom, long stopAt)
        {
            var sample = new Sample();
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var request = NewRequest();
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
        var samples = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => WorkerAsync(measureFrom, stopAt))));
        var elapsed = Stopwatch.GetElapsedTime(measureFrom).TotalSeconds;

        var latencies = samples.SelectMany(s => s.LatenciesMs).Order().ToArray();
        var ok = samples.Sum(s => s.Ok);
        var notOk = samples.Sum(s => s.NotOk);
        var errors = samples.Sum(s => s.Errors);
        double Percentile(double p) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
        Console.WriteLine(FormattableString.Invariant(
            $"RESULT url={url} signed={signed} concurrency={concurrency} seconds={elapsed:0.00} requests={latencies.Length} rps={latencies.Length / elapsed:0} p50_ms={Percentile(0.50):0.000} p99_ms={Percentile(0.99):0.000} ok={ok} non_2xx={notOk} errors={errors}"));
        return notOk == 0 && errors == 0 ? 0 : 1;
    }

    private sealed class Sample
    {
        public List<double> LatenciesMs { get; } = new(capacity: 1 << 14);
        public int Ok { get; set; }
        public int NotOk { get; set; }
        public int Errors { get; set; }
    }
}

/// <summary><c>--name value</c> and bare <c>--flag</c> options.</summary>
internal sealed class Args
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public static Args Parse(IEnumerable<string> args)
    {
        var parsed = new Args();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{list[i]}'.");
            var name = list[i][2..];
            var hasValue = i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal);
            parsed._values[name] = hasValue ? list[++i] : null;
        }
        return parsed;
    }

    public bool Has(string name) => _values.ContainsKey(name);
    public string Get(string name, string fallback) => _values.GetValueOrDefault(name) ?? fallback;
    public string Require(string name) => _values.GetValueOrDefault(name) ?? throw new ArgumentException($"--{name} is required.");

    public int GetInt(string name, int fallback) =>
        _values.GetValueOrDefault(name) is { } text
            ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw new ArgumentException($"--{name} must be an integer.")
            : fallback;
}
