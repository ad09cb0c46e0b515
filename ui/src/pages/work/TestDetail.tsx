import { ComingSoon } from '../../ds'

export default function TestDetailPage() {
  return <ComingSoon title="TestDetail" summary="Under construction." />
}
