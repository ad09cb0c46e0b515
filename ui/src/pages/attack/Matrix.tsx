import { ComingSoon } from '../../ds'

export default function MatrixPage() {
  return <ComingSoon title="Matrix" summary="Under construction." />
}
