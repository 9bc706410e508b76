using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Proxy.Actors.Auth;
using Proxy.Actors.Runtime;
using Proxy.Web.Auth;

namespace Proxy.Web.Tests.Auth;

public sealed class AuthServiceCollectionTests : IDisposable
{
    private readonly TempQwenDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Token_manager_lives_in_the_host_actor_system_even_when_it_is_registered_later()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddQwenAuth(new QwenAuthOptions { QwenDir = _dir.Folder });
        services.AddActorSystem("host");
        await using var provider = services.BuildServiceProvider();

        var manager = provider.GetRequiredService<TokenManager>();

        Assert.StartsWith("host/", manager.Actor.Path);
        Assert.Same(manager, provider.GetRequiredService<ITokenSource>());
        Assert.Single(provider.GetServices<ActorSystem>());
    }

    [Fact]
    public async Task Without_a_host_actor_system_the_token_manager_gets_its_own()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddQwenAuth(new QwenAuthOptions { QwenDir = _dir.Folder });
        await using var provider = services.BuildServiceProvider();

        var manager = provider.GetRequiredService<TokenManager>();

        Assert.StartsWith("qwen-auth/", manager.Actor.Path);
        Assert.Empty(provider.GetServices<ActorSystem>());
        var snapshot = await manager.ReloadAsync(CancellationToken.None);
        Assert.Equal(AuthState.NoCredential, snapshot.State);
    }
}
