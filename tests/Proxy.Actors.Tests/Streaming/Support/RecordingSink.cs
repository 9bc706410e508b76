using System.Text;
using Proxy.Actors.Streaming;

namespace Proxy.Actors.Tests.Streaming.Support;

internal sealed class RecordingSink : IEventSink
{
    public List<byte[]> Events { get; } = [];

    public void WriteEvent(ReadOnlySpan<byte> payload) => Events.Add(payload.ToArray());

    public IEnumerable<string> Texts => Events.Select(e => Encoding.UTF8.GetString(e));
}
