using Microsoft.Extensions.DependencyInjection.Extensions;
using Proxy.Actors.Auth;
using Proxy.Actors.Cluster;
using Akka.Actor;
using Proxy.Web.Health;

namespace Proxy.Web.Auth;

public static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// Qwen OAuth mode: the device-flow client (named <see cref="HttpClient"/> <c>qwen-oauth</c>),
    /// the credential file store (unless another <c>ICredentialStore</c>, e.g. the cluster's, is
    /// registered), the account's token manager as <see cref="ITokenSource"/>, the login coordinator
    /// behind <see cref="AuthEndpoints.MapAuthEndpoints"/>, and readiness and account status from
    /// the token manager. The token manager lives in the registered <see cref="ActorSystem"/>
    /// (whether it is registered before or after this call), or in one of its own when there is
    /// none. It starts with the host, so its first refresh does not wait for the first request.
    /// </summary>
    public static IServiceCollection AddQwenAuth(this IServiceCollection s, QwenAuthOptions o)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(o);
        s.AddSingleton(o);
        s.TryAddSingleton(TimeProvider.System);
        s.TryAddSingleton<OwnActorSystem>();

        s.AddHttpClient(DeviceFlowClient.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(30))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        s.AddSingleton(sp => new DeviceFlowClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(DeviceFlowClient.HttpClientName),
            o.OAuthBaseUrl,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DeviceFlowClient>>()));

        // File times are real-world times shared with other processes, so the lock judges them by the system clock.
        s.TryAddSingleton<ICredentialStore>(sp => new FileCredentialStore(o.QwenDir, TimeProvider.System, sp.GetRequiredService<ILogger<FileCredentialStore>>()));
        s.AddSingleton(sp => TokenManager.Start(
            sp.GetService<ActorSystem>() ?? sp.GetRequiredService<OwnActorSystem>().System,
            sp.GetRequiredService<TimeProvider>(),
            o,
            sp.GetRequiredService<ICredentialStore>(),
            sp.GetRequiredService<DeviceFlowClient>(),
            sp.GetService<ILoggerFactory>(),
            notifier: sp.GetService<ICredentialChangeNotifier>()));
        s.AddSingleton<ITokenSource>(sp => sp.GetRequiredService<TokenManager>());
        s.AddSingleton<LoginCoordinator>();
        s.AddSingleton<IReadinessProbe, TokenManagerReadinessProbe>();
        s.AddSingleton<IAccountStatusProvider, TokenManagerAccountStatusProvider>();
        s.AddHostedService<TokenManagerStarter>();
        return s;
    }
}
