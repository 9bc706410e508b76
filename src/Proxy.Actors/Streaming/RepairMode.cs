namespace Proxy.Actors.Streaming;

/// <summary>Where <see cref="StutterRepair"/> stands in a stream.</summary>
internal enum RepairMode
{
    /// <summary>Start of the stream: every content event is compared with the text sent so far.</summary>
    Watching,

    /// <summary>Snapshots confirmed: each one is cut down to the text it adds.</summary>
    Cumulative,

    /// <summary>The stream is taken as proper deltas: events go through untouched, nothing is kept.</summary>
    PassThrough,

    /// <summary>The repair does not apply (several choices): events go through untouched.</summary>
    Disabled,
}
