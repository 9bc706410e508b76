using System.Net.Http.Headers;
using System.Text.Json;
using Proxy.Actors.Auth;

namespace Proxy.Web.Models;

/// <summary>
/// What an API-key upstream (the pool's first account) lists at <c>GET {API base}/models</c>, fetched on demand, one fetch at a
/// time, and kept for <see cref="FreshFor"/>. An upstream without the endpoint, or one that fails,
/// gives null (the caller falls back to the built-in list), and is asked again after
/// <see cref="RetryFailureAfter"/>.
/// </summary>
internal sealed class UpstreamModels(Gateway.UpstreamAccount account, IHttpClientFactory clients, TimeProvider time, ILogger<UpstreamModels> logger)
{
    public const string HttpClientName = "upstream-models";

    public static readonly TimeSpan FreshFor = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan RetryFailureAfter = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private Task<IReadOnlyList<ModelInfo>?>? _fetch;
    private DateTimeOffset _until;

    /// <summary>The upstream's models, or null when it lists none.</summary>
    public Task<IReadOnlyList<ModelInfo>?> GetAsync()
    {
        lock (_gate)
        {
            if (_fetch is null || (_fetch.IsCompleted && time.GetUtcNow() >= _until))
            {
                _fetch = FetchAsync();
            }

            return _fetch;
        }
    }

    private async Task<IReadOnlyList<ModelInfo>?> FetchAsync()
    {
        IReadOnlyList<ModelInfo>? models = null;
        try
        {
            using var timeout = new CancellationTokenSource(FetchTimeout, time);
            var token = await account.Tokens.GetTokenAsync(timeout.Token).ConfigureAwait(false);
            var root = token.ApiBase.AbsoluteUri;
            using var request = new HttpRequestMessage(HttpMethod.Get, root.EndsWith('/') ? root + "models" : root + "/models");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                models = Parse(body);
            }
            else
            {
                logger.LogInformation("The upstream model list answered {Status}; the built-in list is served", (int)response.StatusCode);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or AuthRequiredException or TokenRefreshFailedException)
        {
            logger.LogInformation("The upstream model list could not be read ({Reason}); the built-in list is served", ex.GetType().Name);
        }

        lock (_gate)
        {
            _until = time.GetUtcNow() + (models is null ? RetryFailureAfter : FreshFor);
        }

        return models;
    }

    /// <summary>OpenAI's list format: <c>{"data":[{"id":…,"owned_by":…},…]}</c>; null when it holds no model.</summary>
    internal static IReadOnlyList<ModelInfo>? Parse(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("data", out var data)
            || data.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var models = new List<ModelInfo>();
        foreach (var entry in data.EnumerateArray())
        {
            if (entry.ValueKind == JsonValueKind.Object
                && entry.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } name)
            {
                var owner = entry.TryGetProperty("owned_by", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()! : "upstream";
                models.Add(new ModelInfo(name, owner, null));
            }
        }

        return models.Count == 0 ? null : models;
    }
}
