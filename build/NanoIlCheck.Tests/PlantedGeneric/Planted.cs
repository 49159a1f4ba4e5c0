// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;

namespace PlantedGeneric
{
    // Each member below compiles against nanoFramework's mscorlib 1.17 but cannot load on nanoCLR 1.x.
    public class UsesGenericEvent
    {
        public event EventHandler<EventArgs> Happened;

        public void Raise() => Happened?.Invoke(this, EventArgs.Empty);
    }

    public class Box<T>
    {
        public T Value;
    }

    public static class GenericMethod
    {
        public static T Identity<T>(T value) => value;

        public static int Call() => Identity(1);
    }
}
