/** The domain model of one article: only what the feeds need (the bundle ships it). */
export interface ImageRef {
  url: string;
  width?: number;
  height?: number;
}

export interface RelatedLink {
  title: string;
  url: string;
  providerName?: string;
}

export interface Article {
  /** `urn:uuid:` name-based (v5) UUID of the canonical URL: stable across hosts, formats and feeds. */
  id: string;
  /** The file the article came from, for reports. */
  file: string;
  title: string;
  /** The excerpt, plain text ("" when there is none). */
  summary: string;
  /** UTC, `YYYY-MM-DDTHH:MM:SSZ`, so that string order is time order. */
  published: string;
  url: string;
  provider: {
    name: string;
    /** Lowercased domain; also the provider's URL key. */
    domain: string;
    /** Absolute http(s) URL, or a path under the site URL (`/assets/...`) resolved at render time. */
    logo?: ImageRef;
  };
  /** Topic names as written, one per topic key. */
  topics: string[];
  image?: ImageRef;
  related: RelatedLink[];
  /** `published: false` in the front matter makes this false (a draft). */
  isPublished: boolean;
  /**
   * Ranking signals from the source (digests rank by them): how much the story is covered and shared,
   * and its quality. Absent when the file has none, or (heat) writes -1, its "never ranked".
   */
  heat?: number;
  quality?: number;
}
