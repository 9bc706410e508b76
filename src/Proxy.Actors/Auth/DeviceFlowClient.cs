using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Proxy.Actors.Auth;

/// <summary>
/// Qwen's OAuth 2.0 device authorization grant with PKCE, and the refresh grant. Waits between
/// polls run on the injected <see cref="TimeProvider"/>. Expected outcomes are values
/// (<see cref="DeviceLoginResult"/>, <see cref="RefreshResult"/>); only a failed device-code
/// request throws (<see cref="DeviceFlowException"/>).
/// </summary>
internal sealed class DeviceFlowClient
{
    /// <summary>The named <see cref="HttpClient"/> for the OAuth endpoints.</summary>
    public const string HttpClientName = "qwen-oauth";

    public const double SlowDownMultiplier = 1.5;

    /// <summary>Network failures or 5xx in a row that end a device-login poll.</summary>
    public const int MaxConsecutivePollFailures = 3;

    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MaxPollInterval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultDeviceCodeLifetime = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromHours(1);

    private const string DeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Uri _deviceCodeUri;
    private readonly Uri _tokenUri;

    public DeviceFlowClient(HttpClient http, Uri oauthBaseUrl, TimeProvider time, ILogger<DeviceFlowClient> logger)
    {
        _http = http;
        _time = time;
        _logger = logger;
        var root = oauthBaseUrl.ToString().TrimEnd('/');
        _deviceCodeUri = new Uri(root + "/api/v1/oauth2/device/code");
        _tokenUri = new Uri(root + "/api/v1/oauth2/token");
    }

    /// <summary>Starts a device login: a fresh PKCE verifier and a device code from the server.</summary>
    public async Task<DeviceAuthorization> RequestDeviceCodeAsync(CancellationToken cancellationToken)
    {
        var verifier = Pkce.CreateVerifier();
        var form = new Dictionary<string, string>
        {
            ["client_id"] = QwenAuthOptions.ClientId,
            ["scope"] = QwenAuthOptions.Scope,
            ["code_challenge"] = Pkce.Challenge(verifier),
            ["code_challenge_method"] = Pkce.Method,
        };

        var answer = await PostAsync(_deviceCodeUri, form, cancellationToken).ConfigureAwait(false);
        if (answer.NetworkError is not null)
        {
            throw new DeviceFlowException(DeviceLoginStatus.NetworkError, $"Could not reach the Qwen OAuth server at {_deviceCodeUri.Authority}: {answer.NetworkError}");
        }

        if (answer.Status != HttpStatusCode.OK)
        {
            var status = (int)answer.Status >= 500 ? DeviceLoginStatus.NetworkError : DeviceLoginStatus.ProtocolError;
            throw new DeviceFlowException(status, $"The Qwen OAuth server refused the device code request: HTTP {(int)answer.Status}{answer.Detail}.");
        }

        var body = answer.Body;
        var deviceCode = GetString(body, "device_code");
        var userCode = GetString(body, "user_code");
        var verificationUri = GetString(body, "verification_uri");
        if (string.IsNullOrEmpty(deviceCode) || string.IsNullOrEmpty(userCode)
            || !Uri.TryCreate(verificationUri, UriKind.Absolute, out var verification))
        {
            throw new DeviceFlowException(DeviceLoginStatus.ProtocolError, "The Qwen OAuth server's device code answer lacks device_code, user_code or verification_uri.");
        }

        var complete = Uri.TryCreate(GetString(body, "verification_uri_complete"), UriKind.Absolute, out var full) ? full : verification;
        var lifetime = GetSeconds(body, "expires_in") ?? DefaultDeviceCodeLifetime;
        var interval = GetSeconds(body, "interval") is { } given && given > TimeSpan.Zero ? Min(given, MaxPollInterval) : DefaultPollInterval;
        var authorization = new DeviceAuthorization(deviceCode, userCode, verification, complete, _time.GetUtcNow() + lifetime, interval, verifier);
        AuthLog.DeviceCodeIssued(_logger, verification, authorization.ExpiresAt);
        return authorization;
    }

    /// <summary>
    /// Polls the token endpoint until the login is approved, denied, rejected or expired:
    /// <c>authorization_pending</c> keeps polling, <c>slow_down</c> multiplies the interval by 1.5 (at most 10 s).
    /// </summary>
    public async Task<DeviceLoginResult> PollForTokenAsync(DeviceAuthorization authorization, CancellationToken cancellationToken)
    {
        var interval = authorization.Interval;
        var failures = 0;
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = DeviceCodeGrant,
            ["client_id"] = QwenAuthOptions.ClientId,
            ["device_code"] = authorization.DeviceCode,
            ["code_verifier"] = authorization.CodeVerifier,
        };

        while (true)
        {
            await Task.Delay(interval, _time, cancellationToken).ConfigureAwait(false);
            if (_time.GetUtcNow() >= authorization.ExpiresAt)
            {
                return Expired();
            }

            var answer = await PostAsync(_tokenUri, form, cancellationToken).ConfigureAwait(false);
            var error = GetString(answer.Body, "error");
            if (answer.NetworkError is not null || (int)answer.Status >= 500)
            {
                failures++;
                AuthLog.DevicePollFailed(_logger, failures, answer.NetworkError ?? $"HTTP {(int)answer.Status}");
                if (failures >= MaxConsecutivePollFailures)
                {
                    return DeviceLoginResult.Fail(
                        DeviceLoginStatus.NetworkError,
                        $"The Qwen OAuth server at {_tokenUri.Authority} failed {failures} times in a row: {answer.NetworkError ?? $"HTTP {(int)answer.Status}"}.");
                }

                continue;
            }

            failures = 0;
            if (answer.Status == HttpStatusCode.OK && GetString(answer.Body, "access_token") is { Length: > 0 })
            {
                var credentials = ToCredentials(answer.Body, previous: null);
                AuthLog.DeviceLoginApproved(_logger, credentials.AccessTokenHint, credentials.ExpiresAt);
                return DeviceLoginResult.Approved(credentials);
            }

            switch (error)
            {
                case "authorization_pending":
                    continue;
                case "slow_down":
                    interval = Min(TimeSpan.FromTicks((long)(interval.Ticks * SlowDownMultiplier)), MaxPollInterval);
                    AuthLog.DevicePollSlowDown(_logger, interval.TotalSeconds);
                    continue;
                case "expired_token":
                    return Expired();
                case "access_denied":
                    AuthLog.DeviceLoginEnded(_logger, "denied");
                    return DeviceLoginResult.Fail(DeviceLoginStatus.Denied, "The login request was denied.");
            }

            if (answer.Status == HttpStatusCode.Unauthorized)
            {
                AuthLog.DeviceLoginEnded(_logger, "rejected");
                return DeviceLoginResult.Fail(DeviceLoginStatus.Rejected, $"The Qwen OAuth server rejected the login (HTTP 401{answer.Detail}).");
            }

            if (answer.Status == HttpStatusCode.TooManyRequests)
            {
                interval = Min(TimeSpan.FromTicks((long)(interval.Ticks * SlowDownMultiplier)), MaxPollInterval);
                AuthLog.DevicePollSlowDown(_logger, interval.TotalSeconds);
                continue;
            }

            AuthLog.DeviceLoginEnded(_logger, "protocol error");
            return DeviceLoginResult.Fail(DeviceLoginStatus.ProtocolError, $"The Qwen OAuth server answered HTTP {(int)answer.Status}{answer.Detail}.");
        }
    }

    /// <summary>
    /// The refresh grant. Keeps the old refresh token when the answer has none, and the old
    /// <c>resource_url</c> likewise. 400/401 mean the credential is dead; network, 429 and 5xx are transient.
    /// </summary>
    public async Task<RefreshResult> RefreshAsync(QwenCredentials current, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(current.RefreshToken))
        {
            return RefreshResult.Dead("The credential has no refresh token.");
        }

        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = current.RefreshToken,
            ["client_id"] = QwenAuthOptions.ClientId,
        };

        var answer = await PostAsync(_tokenUri, form, cancellationToken).ConfigureAwait(false);
        if (answer.NetworkError is not null)
        {
            return RefreshResult.Transient($"Could not reach the Qwen OAuth server: {answer.NetworkError}");
        }

        if (answer.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized)
        {
            return RefreshResult.Dead($"The refresh token was rejected (HTTP {(int)answer.Status}{answer.Detail}).");
        }

        if (answer.Status != HttpStatusCode.OK || GetString(answer.Body, "access_token") is not { Length: > 0 })
        {
            return RefreshResult.Transient($"The token endpoint answered HTTP {(int)answer.Status}{answer.Detail}.");
        }

        return RefreshResult.Success(ToCredentials(answer.Body, current));
    }

    private QwenCredentials ToCredentials(JsonElement body, QwenCredentials? previous)
    {
        var refreshToken = GetString(body, "refresh_token");
        var lifetime = GetSeconds(body, "expires_in") ?? DefaultTokenLifetime;
        return new QwenCredentials(
            GetString(body, "access_token")!,
            string.IsNullOrEmpty(refreshToken) ? previous?.RefreshToken ?? string.Empty : refreshToken,
            GetString(body, "token_type") ?? previous?.TokenType ?? "Bearer",
            GetString(body, "resource_url") ?? previous?.ResourceUrl,
            _time.GetUtcNow() + lifetime);
    }

    private DeviceLoginResult Expired()
    {
        AuthLog.DeviceLoginEnded(_logger, "expired");
        return DeviceLoginResult.Fail(DeviceLoginStatus.Expired, "The login code expired before it was approved.");
    }

    private async Task<Answer> PostAsync(Uri uri, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return new Answer(response.StatusCode, ParseBody(bytes), null);
        }
        catch (HttpRequestException ex)
        {
            return new Answer(0, default, ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Answer(0, default, "the request timed out");
        }
    }

    private static JsonElement ParseBody(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static string? GetString(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static TimeSpan? GetSeconds(JsonElement body, string name)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number))
        {
            return TimeSpan.FromSeconds(number);
        }

        return value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
            ? TimeSpan.FromSeconds(parsed)
            : null;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>One answer of the OAuth server: a status and a JSON body, or a network error.</summary>
    private readonly record struct Answer(HttpStatusCode Status, JsonElement Body, string? NetworkError)
    {
        /// <summary>" error: description" from the body (they never carry a secret), or empty.</summary>
        public string Detail
        {
            get
            {
                var error = GetString(Body, "error");
                var description = GetString(Body, "error_description");
                return (error, description) switch
                {
                    (null, null) => string.Empty,
                    (_, null) => " " + error,
                    (null, _) => " " + description,
                    _ => $" {error}: {description}",
                };
            }
        }
    }
}
