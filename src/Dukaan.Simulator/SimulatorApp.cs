using System.Net;
using Dukaan.Contract;
using Dukaan.Simulator.Chat;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dukaan.Simulator;

/// <summary>Composes the simulator's web app: Kestrel on loopback by default, a TestServer when a test swaps it.</summary>
public static class SimulatorApp
{
    public static WebApplication Build(SimulatorOptions options, Action<WebApplicationBuilder>? configure = null, HttpClient? deliveryClient = null)
    {
        Faults.SimulatorBreaks.Validate(options.Breaks);
        var builder = LoopbackPeer.CreateBuilder(options.Port, options.MaxRequestBodyBytes);
        if (options.TranscriptCapacity < 1)
            throw new SimulatorException(0, "BAD_TRANSCRIPT_CAPACITY", $"The transcript capacity must be at least 1 exchange (got {options.TranscriptCapacity}).");
        var transcript = new Transcript
        {
            Capacity = options.TranscriptCapacity,
            Log = options.TranscriptFile is { } file ? TranscriptLog.Create(file) : null,
        };
        var engine = new DeliveryEngine(deliveryClient ?? (options.Has(Faults.SimulatorBreaks.PerReadTimeout)
            ? DeliveryEngine.CreateHttpClient(options.Delivery.AttemptTimeout, options.Clock)
            : DeliveryEngine.CreateHttpClient()), options.Clock, transcript);
        builder.Services.AddSingleton(new PlatformSimulator(options, engine, transcript));
        configure?.Invoke(builder);

        var app = builder.Build();
        // The attachment server has its own loopback socket; it closes with the app, whichever host runs it.
        app.Lifetime.ApplicationStopping.Register(() => app.Services.GetRequiredService<PlatformSimulator>().Files.Dispose());
        // The file is complete once the server has stopped: flush and close it then, on Kestrel and on a TestServer alike.
        app.Lifetime.ApplicationStopped.Register(transcript.Dispose);
        app.Use(TranslateFailures);
        app.UseStatusCodePages(EmptyErrorsAsJson);
        app.UseMiddleware<ExchangeRecorder>();
        app.MapPlatformApi();
        app.MapChatApi();
        app.MapProviderApi();
        app.MapControlApi();
        // No MapFallback: a catch-all route also matches known paths under any method, so routing would answer a wrong method
        // with the fallback's 404 instead of 405. Unmatched requests reach EmptyErrorsAsJson, which words both.
        return app;
    }

    /// <summary>Every refusal is a JSON error body; an unexpected exception is still JSON, never a bare stack trace.</summary>
    private static async Task TranslateFailures(HttpContext http, Func<Task> next)
    {
        try
        {
            await next();
        }
        catch (SimulatorException ex) when (!http.Response.HasStarted)
        {
            await ErrorResponses.WriteAsync(http, ex.Status, ex.Code, ex.Message);
        }
        catch (BadHttpRequestException ex) when (!http.Response.HasStarted)
        {
            var code = ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? ErrorCodes.PayloadTooLarge : "BAD_REQUEST";
            await ErrorResponses.WriteAsync(http, ex.StatusCode, code, ex.Message);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            await ErrorResponses.WriteAsync(http, StatusCodes.Status500InternalServerError, "SIMULATOR_BUG",
                $"The simulator failed unexpectedly ({ex.GetType().Name}: {ex.Message}). This is a harness bug, not the agent's fault; please report it.");
        }
    }

    private static Task EmptyErrorsAsJson(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var (code, message) = http.Response.StatusCode switch
        {
            405 => (ErrorCodes.MethodNotAllowed, $"{http.Request.Method} is not allowed on {http.Request.Path}."),
            415 => (ErrorCodes.UnsupportedMediaType, "Send the body as application/json."),
            404 => (ErrorCodes.RouteNotFound, $"No route {http.Request.Method} {http.Request.Path}. Agent endpoints live under /api/subscriptions/{{id}}/(config|run|heartbeat|request-config); the control API under /_sim/."),
            var s => ("HTTP_" + s, $"Request refused with status {s}."),
        };
        return ErrorResponses.WriteAsync(http, http.Response.StatusCode, code, message);
    }
}

/// <summary>A running simulator, wherever it is hosted: Kestrel on loopback, or a TestServer in memory.</summary>
public interface IPlatformHost : IAsyncDisposable
{
    PlatformSimulator Simulator { get; }
}

/// <summary>A running simulator on a real loopback port.</summary>
public sealed class SimulatorHost : IPlatformHost
{
    private readonly WebApplication _app;

    private SimulatorHost(WebApplication app, PlatformSimulator simulator)
    {
        _app = app;
        Simulator = simulator;
    }

    public PlatformSimulator Simulator { get; }
    public Uri BaseUrl => Simulator.BaseUrl;

    public static async Task<SimulatorHost> StartAsync(SimulatorOptions options, CancellationToken cancellationToken = default)
    {
        var app = SimulatorApp.Build(options);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // A host that never started never stops, so nothing else would close the transcript file.
            app.Services.GetRequiredService<PlatformSimulator>().Transcript.Dispose();
            await app.DisposeAsync().ConfigureAwait(false);
            throw new SimulatorException(0, "PORT_UNAVAILABLE", $"Cannot listen on 127.0.0.1:{options.Port}: {ex.Message}. Pick another --port, or 0 for a free one.");
        }
        var simulator = app.Services.GetRequiredService<PlatformSimulator>();
        simulator.BaseUrl = options.PublicBaseUrl ?? new Uri(LoopbackPeer.Address(app) + "/");
        return new SimulatorHost(app, simulator);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
