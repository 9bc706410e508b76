using Proxy.LoadClient.Load;

namespace Proxy.LoadClient.Steps;

/// <summary>
/// Step 5 (not in the default set; <c>--steps faults</c>): a partial upstream failure under
/// concurrency. <see cref="Clients"/> clients send streaming requests to the proxy at once while the
/// emulator resets one stream in ten half way (<see cref="Scenario"/>). A breaker that judges the
/// upstream by the share of failed streams answers every request it admits and loses only the
/// streams the upstream broke; one that opens on a run of failures answers 503 to the rest.
/// </summary>
internal static class FaultsStep
{
    public const int Clients = 24;
    public const int RequestsPerClient = 40;
    public const string Scenario = "chunks=20;delay_ms=5;fault=reset_mid:10;fault_rate=0.1";

    public static async Task<FaultsRow> RunAsync(LoadTarget proxy, string apiKey, string model, TextWriter log, CancellationToken cancellationToken)
    {
        using var client = HttpClients.Create(Clients);
        var request = new ChatRequest(model, stream: true, apiKey, Scenario);
        var samples = await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
        {
            var mine = new List<RequestSample>(RequestsPerClient);
            for (var i = 0; i < RequestsPerClient; i++)
            {
                mine.Add(await RequestRunner.SendAsync(client, proxy, request, cancellationToken));
            }

            return mine;
        }));

        var all = samples.SelectMany(s => s).ToList();
        var row = new FaultsRow(
            all.Count,
            all.Count(s => s.Status == 200 && s.Ok),
            all.Count(s => s.Status == 200 && !s.Ok),
            all.Count(s => s.Status == 503),
            all.Count(s => s.Status is not 200 and not 503));
        log.WriteLine(
            $"  {Clients} clients, {row.Requests} streams: {row.Completed} complete, {row.Broken} broken by the upstream, " +
            $"{row.Refused} answered 503 ({100.0 * row.Refused / row.Requests:0.0} %), {row.Other} other");
        return row;
    }
}

/// <summary>What the faults step saw: streams completed, broken mid-way (200 with an error event), refused with 503, other answers.</summary>
internal sealed record FaultsRow(int Requests, int Completed, int Broken, int Refused, int Other);
