using KinderQueue.Core.Allocation;

namespace KinderQueue.Core.Public;

/// <summary>
/// The members of one queue in priority-key order, with O(log n) expected insert, remove and rank:
/// a treap (a binary search tree that is also a heap on a per-node priority) whose nodes count
/// their subtrees. Node priorities are a hash of the application's sequence number, not a random
/// draw: Core is deterministic, and sequence numbers are assigned by the log, not chosen by anyone
/// who could unbalance the tree. Nodes live in parallel arrays (no object per member) and each
/// carries an int value (the index's track id). Keys are unique (SPEC.md §7.2: seqs are unique).
/// Reads never modify the tree, so concurrent readers are safe while no one writes.
/// </summary>
internal sealed class QueueTree
{
    private const int Nil = -1;

    private PriorityKey[] _keys = new PriorityKey[4];
    private int[] _values = new int[4];
    private int[] _left = new int[4];
    private int[] _right = new int[4];
    private int[] _size = new int[4];
    private uint[] _priority = new uint[4];
    private int _root = Nil;
    private int _used;
    private int _free = Nil;
    private readonly Stack<int> _walk = new();

    public int Count => _root == Nil ? 0 : _size[_root];

    /// <summary>Number of members with a key smaller than <paramref name="key"/> (which need not be a member).</summary>
    public int CountLess(PriorityKey key)
    {
        var n = _root;
        var count = 0;
        while (n != Nil)
        {
            if (_keys[n].CompareTo(key) < 0)
            {
                count += SizeOf(_left[n]) + 1;
                n = _right[n];
            }
            else
            {
                n = _left[n];
            }
        }
        return count;
    }

    public bool Contains(PriorityKey key)
    {
        var n = _root;
        while (n != Nil)
        {
            var c = key.CompareTo(_keys[n]);
            if (c == 0) return true;
            n = c < 0 ? _left[n] : _right[n];
        }
        return false;
    }

    public void Insert(PriorityKey key, int value)
    {
        if (Contains(key)) throw new InvalidOperationException($"Key {key} is in the queue already.");
        var node = Allocate(key, value);
        Split(_root, key, out var less, out var greater);
        _root = Merge(Merge(less, node), greater);
    }

    /// <summary>Removes the member with this key; false if there is none.</summary>
    public bool Remove(PriorityKey key)
    {
        if (!Contains(key)) return false;
        _root = RemoveFrom(_root, key);
        return true;
    }

    /// <summary>
    /// Appends to <paramref name="into"/> the members with <paramref name="low"/> &lt; key &lt;
    /// <paramref name="high"/> (a null bound is open), in key order, each with its rank (number of
    /// members before it in the whole queue). Uses a buffer of the tree: for the writer only.
    /// </summary>
    public void Between(PriorityKey? low, PriorityKey? high, List<(int Rank, int Value)> into)
    {
        var rank = low is { } l ? CountLessOrEqual(l) : 0;
        // In-order walk from the first member above `low`: a stack of the nodes whose left part is done.
        var stack = _walk;
        stack.Clear();
        var n = _root;
        while (n != Nil)
        {
            if (low is { } lo && _keys[n].CompareTo(lo) <= 0)
            {
                n = _right[n];
            }
            else
            {
                stack.Push(n);
                n = _left[n];
            }
        }
        while (stack.Count > 0)
        {
            n = stack.Pop();
            if (high is { } hi && _keys[n].CompareTo(hi) >= 0) break;
            into.Add((rank++, _values[n]));
            for (var m = _right[n]; m != Nil; m = _left[m]) stack.Push(m);
        }
        stack.Clear();
    }

    /// <summary>Every member in key order (for checks and summaries).</summary>
    public IEnumerable<(PriorityKey Key, int Value)> InOrder()
    {
        var stack = new Stack<int>();
        for (var n = _root; n != Nil; n = _left[n]) stack.Push(n);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            yield return (_keys[n], _values[n]);
            for (var m = _right[n]; m != Nil; m = _left[m]) stack.Push(m);
        }
    }

    private int CountLessOrEqual(PriorityKey key)
    {
        var n = _root;
        var count = 0;
        while (n != Nil)
        {
            if (_keys[n].CompareTo(key) <= 0)
            {
                count += SizeOf(_left[n]) + 1;
                n = _right[n];
            }
            else
            {
                n = _left[n];
            }
        }
        return count;
    }

    private int SizeOf(int n) => n == Nil ? 0 : _size[n];

    private void Update(int n) => _size[n] = SizeOf(_left[n]) + SizeOf(_right[n]) + 1;

    /// <summary>Splits a subtree into keys &lt; key and keys ≥ key.</summary>
    private void Split(int n, PriorityKey key, out int less, out int greater)
    {
        if (n == Nil)
        {
            less = greater = Nil;
            return;
        }
        if (_keys[n].CompareTo(key) < 0)
        {
            Split(_right[n], key, out var l, out greater);
            _right[n] = l;
            Update(n);
            less = n;
        }
        else
        {
            Split(_left[n], key, out less, out var g);
            _left[n] = g;
            Update(n);
            greater = n;
        }
    }

    /// <summary>Joins two subtrees where every key of <paramref name="a"/> is smaller than every key of <paramref name="b"/>.</summary>
    private int Merge(int a, int b)
    {
        if (a == Nil) return b;
        if (b == Nil) return a;
        if (_priority[a] >= _priority[b])
        {
            _right[a] = Merge(_right[a], b);
            Update(a);
            return a;
        }
        _left[b] = Merge(a, _left[b]);
        Update(b);
        return b;
    }

    private int RemoveFrom(int n, PriorityKey key)
    {
        var c = key.CompareTo(_keys[n]);
        if (c == 0)
        {
            var joined = Merge(_left[n], _right[n]);
            Release(n);
            return joined;
        }
        if (c < 0) _left[n] = RemoveFrom(_left[n], key);
        else _right[n] = RemoveFrom(_right[n], key);
        Update(n);
        return n;
    }

    private int Allocate(PriorityKey key, int value)
    {
        int n;
        if (_free != Nil)
        {
            n = _free;
            _free = _left[n];
        }
        else
        {
            if (_used == _keys.Length) Grow();
            n = _used++;
        }
        _keys[n] = key;
        _values[n] = value;
        _left[n] = _right[n] = Nil;
        _size[n] = 1;
        _priority[n] = Mix(key.Seq);
        return n;
    }

    private void Release(int n)
    {
        _left[n] = _free;
        _free = n;
    }

    private void Grow()
    {
        var length = _keys.Length * 2;
        Array.Resize(ref _keys, length);
        Array.Resize(ref _values, length);
        Array.Resize(ref _left, length);
        Array.Resize(ref _right, length);
        Array.Resize(ref _size, length);
        Array.Resize(ref _priority, length);
    }

    /// <summary>The SplitMix64 finaliser: neighbouring sequence numbers get unrelated priorities.</summary>
    private static uint Mix(long seq)
    {
        unchecked
        {
            var z = (ulong)seq + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (uint)((z ^ (z >> 31)) >> 32);
        }
    }
}
