using Microsoft.Extensions.Logging;

namespace Qwen.Emulator;

/// <summary>How an emulator run behaves. Set before <see cref="EmulatorHost.StartAsync"/>.</summary>
public sealed class EmulatorOptions
{
    /// <summary>Port on 127.0.0.1; 0 picks any free port (see <see cref="EmulatorHost.BaseUrl"/>).</summary>
    public int Port { get; set; }

    /// <summary>
    /// A second port on 127.0.0.1 that speaks HTTP/2 without TLS (prior knowledge, h2c), for clients
    /// that reach the upstream over HTTP/2; 0 picks any free port (see <see cref="EmulatorHost.H2cBaseUrl"/>); null = none.
    /// </summary>
    public int? H2cPort { get; set; }

    /// <summary>Seed of the streamed text, tool calls and the fault_rate draw.</summary>
    public int Seed { get; set; } = 42;

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Accepted as <c>Authorization: Bearer</c> on chat besides OAuth access tokens. Never expire.</summary>
    public ICollection<string> ApiKeys { get; } = new List<string>();

    /// <summary>Run-wide scenario, same grammar as the <c>X-Emulator-Scenario</c> header (which overrides it key by key).</summary>
    public string? DefaultScenario { get; set; }

    /// <summary>Share (0..1) of chat requests that get <see cref="FaultKind"/>, drawn from the seed. 0 with a FaultKind means every request.</summary>
    public double FaultRate { get; set; }

    /// <summary>A <c>fault=</c> value, e.g. <c>503</c> or <c>reset_mid:3</c>. Defaults to 503 when only a rate is given.</summary>
    public string? FaultKind { get; set; }

    /// <summary>Device-grant polls closer together than this get 429 slow_down. Zero turns the check off.</summary>
    public TimeSpan MinPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Clock of token and device-code expiry and of poll spacing. Chunk delays use real time.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>How long a device code stays usable (<c>expires_in</c> of the device-code response).</summary>
    public TimeSpan DeviceCodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// When true a refresh answers without a new <c>refresh_token</c> and the old one stays valid,
    /// so a client must keep it. Read on every refresh, so a test may flip it while running.
    /// </summary>
    public bool OmitRefreshTokenOnRefresh { get; set; }

    /// <summary>Serve <c>POST /v1/responses</c> natively; false (<c>--no-responses</c>) answers 404 there, like a chat-only upstream.</summary>
    public bool ServeResponses { get; set; } = true;

    /// <summary>Models listed at <c>GET /v1/models</c> (<c>--models a,b</c>); empty (the default) answers 404 there, as Qwen's portal does.</summary>
    public ICollection<string> ModelIds { get; } = new List<string>();

    /// <summary>
    /// <c>--tools-once</c>: a request whose last message is a tool result gets text only, as a model
    /// answers once it has what it asked for; so an agent's tool round trip ends.
    /// </summary>
    public bool ToolsOnce { get; set; }

    /// <summary>Approve every device code as soon as it is issued (no approve call needed).</summary>
    public bool AutoApproveDeviceCodes { get; set; }

    /// <summary><c>resource_url</c> handed out with tokens; <c>{port}</c> is replaced by the bound port.</summary>
    public string ResourceUrl { get; set; } = "127.0.0.1:{port}";

    /// <summary>Most chat requests kept in <see cref="EmulatorState.Requests"/>; older ones are dropped.</summary>
    public int MaxRecordedRequests { get; set; } = 10_000;

    /// <summary>Console logging threshold; <see cref="LogLevel.None"/> (the default) logs nothing.</summary>
    public LogLevel MinimumLogLevel { get; set; } = LogLevel.None;

    /// <summary>Serve Anthropic Messages natively (<c>/v1/messages</c>); false makes those paths 404, like a chat-only upstream.</summary>
    public bool ServeMessages { get; set; } = true;
}
