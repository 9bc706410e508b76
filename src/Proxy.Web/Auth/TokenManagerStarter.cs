using Proxy.Actors.Auth;

namespace Proxy.Web.Auth;

/// <summary>
/// Creates the token manager when the host starts and waits for its first look at the store, so
/// readiness is right from the first request and the refresh timer runs before any traffic.
/// </summary>
internal sealed class TokenManagerStarter(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        services.GetRequiredService<TokenManager>().ReloadAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
