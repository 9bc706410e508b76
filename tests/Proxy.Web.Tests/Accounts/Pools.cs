using Proxy.Web.Accounts;

namespace Proxy.Web.Tests.Accounts;

/// <summary>Pools built in code for the selection and state tests.</summary>
internal static class Pools
{
    public static AccountDefinition Key(string name, int weight = 1, int maxConcurrent = 0, params string[] models) => new()
    {
        Name = name,
        BaseUrl = new Uri($"http://{name}.example/v1"),
        ApiKey = "sk-" + name + "-secret-key",
        ApiKeySource = "api_key",
        Weight = weight,
        MaxConcurrent = maxConcurrent,
        Models = new HashSet<string>(models, StringComparer.OrdinalIgnoreCase),
    };

    public static AccountPool Of(FakeTimeProvider time, PoolStrategy strategy, params AccountDefinition[] accounts) =>
        Of(time, strategy, AffinityOptions.Off, accounts);

    public static AccountPool Of(FakeTimeProvider time, PoolStrategy strategy, AffinityOptions affinity, params AccountDefinition[] accounts) =>
        new(new AccountPoolOptions { Strategy = strategy, Affinity = affinity, Accounts = accounts }, time, new AccountStateOptions());

    /// <summary>Picks <paramref name="requests"/> times, completing each at once with success; counts the first candidate's name.</summary>
    public static Dictionary<string, int> Spread(AccountPool pool, int requests)
    {
        var counts = pool.Accounts.ToDictionary(a => a.Name, _ => 0);
        for (var i = 0; i < requests; i++)
        {
            var first = pool.Select(model: null).Candidates[0];
            counts[first.Name]++;
        }

        return counts;
    }

    public static string[] Names(PoolSelection selection) => selection.Candidates.Select(c => c.Name).ToArray();
}
