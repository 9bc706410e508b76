namespace Proxy.Cluster.Tests.Support;

/// <summary>
/// Awaits a condition only the server can tell (a session waiting on a lock). Checks often, gives
/// up after <paramref name="within"/>: a signal where there is one, this where there is none.
/// </summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(15));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }
}
