// @peculiar/x509 resolves its ASN.1 services through tsyringe, which refuses to load unless the Reflect metadata
// API exists (usually the reflect-metadata package, which this project does not depend on). tsyringe only stores
// and reads its own injection tokens on classes, and @peculiar/x509 emits no design-type metadata, so a WeakMap
// store covering defineMetadata/getOwnMetadata/getMetadata (class-level, no property keys) is all it needs.
// Installed only when no real polyfill is present.
type Store = WeakMap<object, Map<unknown, unknown>>;

interface ReflectMetadata {
  defineMetadata(key: unknown, value: unknown, target: object): void;
  getOwnMetadata(key: unknown, target: object): unknown;
  getMetadata(key: unknown, target: object): unknown;
}

const reflect = Reflect as typeof Reflect & Partial<ReflectMetadata>;

if (typeof reflect.getMetadata !== "function") {
  const store: Store = new WeakMap();
  const api: ReflectMetadata = {
    defineMetadata(key, value, target) {
      let own = store.get(target);
      if (!own) store.set(target, (own = new Map()));
      own.set(key, value);
    },
    getOwnMetadata(key, target) {
      return store.get(target)?.get(key);
    },
    getMetadata(key, target) {
      for (let t: object | null = target; t; t = Object.getPrototypeOf(t)) {
        const own = store.get(t);
        if (own?.has(key)) return own.get(key);
      }
      return undefined;
    },
  };
  Object.assign(Reflect, api);
}

export {};
