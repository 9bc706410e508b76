namespace Qwen.Emulator;

/// <summary>SplitMix64: a tiny generator whose output depends on the seed alone, on every runtime.</summary>
internal struct SplitMix
{
    private ulong _state;

    public SplitMix(ulong seed) => _state = seed;

    public ulong Next()
    {
        unchecked
        {
            _state += 0x9E3779B97F4A7C15UL;
            var z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Uniform in [0, bound).</summary>
    public int Next(int bound) => (int)(Next() % (ulong)bound);

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>One draw for (seed, salt, n) without keeping state.</summary>
    public static ulong Mix(int seed, ulong salt, long n)
    {
        unchecked
        {
            var generator = new SplitMix(((ulong)(uint)seed << 32) ^ salt ^ ((ulong)n * 0xD1B54A32D192ED03UL));
            return generator.Next();
        }
    }
}
