namespace Proxy.Cluster.Tests.Support;

/// <summary>Waits for a started program to answer: it has no signal to give but its port.</summary>
internal static class Health
{
    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static async Task WaitUntilAsync(Uri baseUrl, string path, Func<bool> exited, Func<string> output, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            if (exited())
            {
                Assert.Fail($"{baseUrl} exited before answering {path}:\n{output()}");
            }

            try
            {
                using var response = await Client.GetAsync(new Uri(baseUrl, path));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{baseUrl}{path} did not answer 2xx in time:\n{output()}");
            }

            await Task.Delay(100);
        }
    }
}
