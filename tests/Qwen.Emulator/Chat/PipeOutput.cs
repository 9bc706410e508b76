using System.Buffers;
using System.IO.Pipelines;

namespace Qwen.Emulator.Chat;

/// <summary>The normal path: the response's <see cref="PipeWriter"/>, chunked by Kestrel.</summary>
internal sealed class PipeOutput(PipeWriter writer) : EventOutput
{
    public override void Write(ReadOnlySpan<byte> bytes) => writer.Write(bytes);

    public override async ValueTask<bool> FlushAsync(CancellationToken cancellationToken) =>
        !(await writer.FlushAsync(cancellationToken)).IsCompleted;
}
