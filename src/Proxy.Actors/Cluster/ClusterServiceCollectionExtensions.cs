using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Proxy.Actors.Auth;
using Proxy.Actors.Resilience;

namespace Proxy.Actors.Cluster;

internal static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// Cluster mode (<c>PROXY_POSTGRES</c>): registers the shared database, the PostgreSQL
    /// <see cref="ICredentialStore"/> (also <see cref="ICredentialChangeNotifier"/>) for
    /// <paramref name="account"/>, the shared <see cref="ICooldownStore"/>, and a hosted service
    /// that brings them up at start. Call it before the auth wiring, which adds the file store only
    /// when no <see cref="ICredentialStore"/> is registered. <paramref name="account"/> must be the
    /// token manager's account name. <paramref name="importCredentialFile"/> (the CLI's
    /// <c>oauth_creds.json</c>) is imported once when the table holds no credential for the account.
    /// </summary>
    public static IServiceCollection AddPostgresCluster(
        this IServiceCollection services,
        ClusterOptions options,
        string? importCredentialFile,
        string account = PostgresCredentialStore.DefaultAccount)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.AddSingleton(provider => new ClusterDatabase(
            options,
            provider.GetService<TimeProvider>() ?? TimeProvider.System,
            provider.GetService<ILoggerFactory>()));
        services.AddSingleton(provider => new PostgresCredentialStore(
            provider.GetRequiredService<ClusterDatabase>(),
            account,
            importCredentialFile,
            provider.GetService<ILogger<PostgresCredentialStore>>()));
        services.AddSingleton<ICredentialStore>(provider => provider.GetRequiredService<PostgresCredentialStore>());
        services.AddSingleton<ICredentialChangeNotifier>(provider => provider.GetRequiredService<PostgresCredentialStore>());
        services.AddSingleton(provider => new PostgresCooldownStore(
            provider.GetRequiredService<ClusterDatabase>(),
            provider.GetService<ILogger<PostgresCooldownStore>>()));
        services.AddSingleton<ICooldownStore>(provider => provider.GetRequiredService<PostgresCooldownStore>());
        services.AddHostedService<ClusterHostedService>();
        return services;
    }
}
