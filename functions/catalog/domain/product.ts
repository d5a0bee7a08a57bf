/** Catalog rules and use cases. No AWS SDK: storage is behind ProductRepository. */
import { ConflictError, NotFoundError } from '../../shared/errors';
import { type EventOf, ProductCreatedV1 } from '../../shared/events/catalog';
import { type EventContext, newEvent } from '../../shared/events/factory';
import type { Clock, IdGenerator } from '../../shared/runtime/ids';
import type { CreateProductBody, ProductView } from '../contract';

export interface Product extends ProductView {
  readonly version: number;
}

export interface ProductPage {
  readonly items: Product[];
  readonly nextCursor: string | null;
}

export interface ProductRepository {
  /** Stores the product and its event atomically; returns false when the sku already exists. */
  create(product: Product, event: EventOf<typeof ProductCreatedV1>): Promise<boolean>;
  get(sku: string): Promise<Product | undefined>;
  list(limit: number, cursor: string | undefined): Promise<ProductPage>;
}

export interface CatalogDeps {
  readonly products: ProductRepository;
  readonly ids: IdGenerator;
  readonly clock: Clock;
}

export async function createProduct(
  deps: CatalogDeps,
  input: CreateProductBody,
  context: EventContext,
): Promise<Product> {
  const now = deps.clock.nowIso();
  const product: Product = { ...input, createdAt: now, updatedAt: now, version: 1 };
  const event = newEvent(
    ProductCreatedV1,
    {
      id: deps.ids.next(),
      time: now,
      subject: product.sku,
      sequence: product.version,
      data: {
        sku: product.sku,
        name: product.name,
        priceCents: product.priceCents,
        currency: product.currency,
        category: product.category,
      },
    },
    context,
  );
  const created = await deps.products.create(product, event);
  if (!created) throw new ConflictError('PRODUCT_EXISTS', `A product with sku '${product.sku}' already exists`);
  return product;
}

export async function getProduct(deps: Pick<CatalogDeps, 'products'>, sku: string): Promise<Product> {
  const product = await deps.products.get(sku);
  if (!product) throw new NotFoundError('Product', sku);
  return product;
}

/** The public view of a product (internal fields such as `version` stay inside). */
export function toProductView(product: Product): ProductView {
  const { version: _version, ...view } = product;
  return view;
}

export function listProducts(
  deps: Pick<CatalogDeps, 'products'>,
  limit: number,
  cursor?: string,
): Promise<ProductPage> {
  return deps.products.list(limit, cursor);
}
