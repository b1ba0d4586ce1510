/** What one library call cost: the numbers the benchmark and the tests read. */
export interface RequestStatsSnapshot {
  /** DynamoDB requests (Query, GetItem, PutItem, BatchWriteItem, DescribeTable...). */
  readonly dynamoRequests: number;
  /** DynamoDB capacity units consumed (ReturnConsumedCapacity TOTAL). */
  readonly consumedCapacity: number;
  /** Items DynamoDB returned. */
  readonly itemsRead: number;
  /** S3 GetObject calls (values). */
  readonly s3Requests: number;
  /** SSM calls (restore). */
  readonly ssmRequests: number;
}

/** Mutable counter threaded through one library call. */
export class RequestStats implements RequestStatsSnapshot {
  public dynamoRequests = 0;
  public consumedCapacity = 0;
  public itemsRead = 0;
  public s3Requests = 0;
  public ssmRequests = 0;

  /** Adds one DynamoDB response. */
  public addDynamo(consumed: number | undefined, items = 0): void {
    this.dynamoRequests += 1;
    this.consumedCapacity += consumed ?? 0;
    this.itemsRead += items;
  }

  public snapshot(): RequestStatsSnapshot {
    return {
      dynamoRequests: this.dynamoRequests,
      consumedCapacity: Math.round(this.consumedCapacity * 100) / 100,
      itemsRead: this.itemsRead,
      s3Requests: this.s3Requests,
      ssmRequests: this.ssmRequests,
    };
  }
}
