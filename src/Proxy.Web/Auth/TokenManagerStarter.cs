using Proxy.Actors.Auth;

namespace Proxy.Web.Auth;

/// <summary>Creates the token manager when the host starts: it loads the credential and arms its refresh timer.</summary>
internal sealed class TokenManagerStarter(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<TokenManager>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
