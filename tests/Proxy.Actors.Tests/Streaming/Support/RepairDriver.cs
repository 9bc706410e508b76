using Proxy.Actors.Streaming;

namespace Proxy.Actors.Tests.Streaming.Support;

/// <summary>Feeds payloads through a <see cref="StutterRepair"/> the way the stream actor does.</summary>
internal sealed class RepairDriver
{
    public RepairDriver(RepairOptions? options = null) => Repair = new StutterRepair(options);

    public StutterRepair Repair { get; }

    public RecordingSink Sink { get; } = new();

    public TimeSpan Now { get; set; }

    public void Send(string payload, TimeSpan? after = null) => Send(ChunkJson.Bytes(payload), after);

    public void Send(byte[] payload, TimeSpan? after = null)
    {
        Now += after ?? TimeSpan.FromMilliseconds(20);
        Repair.Tick(Now, Sink);
        Assert.True(ChunkInspector.TryInspect(payload, out var info), "payload must be valid JSON");
        Repair.Process(payload, info, Now, Sink);
    }

    public void Complete() => Repair.Complete(Sink);

    public string ClientText => ChunkJson.ClientText(Sink.Events);

    public string[] ClientDeltas => Sink.Events.Select(e => ChunkJson.ClientText([e])).ToArray();
}
