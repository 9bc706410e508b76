namespace Qwen.Emulator;

/// <summary>The vectors <c>/v1/embeddings</c> answers: drawn from the text and the seed, so they repeat exactly.</summary>
public static class EmulatorEmbeddings
{
    public const int Dimensions = 4;

    /// <summary>The vector the emulator answers for <paramref name="text"/>.</summary>
    public static double[] Vector(int seed, string text)
    {
        var hash = (ulong)seed;
        foreach (var c in text)
        {
            hash = SplitMix.Mix((int)hash, c, (long)hash);
        }

        var vector = new double[Dimensions];
        for (var i = 0; i < Dimensions; i++)
        {
            hash = SplitMix.Mix((int)hash, (ulong)i, i);
            vector[i] = Math.Round((hash >> 11) * (1.0 / (1UL << 53)) * 2 - 1, 6);
        }

        return vector;
    }
}
